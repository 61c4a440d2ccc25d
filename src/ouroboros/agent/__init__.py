"""The live agent's groundwork: settings, market lifecycle, scheduler, health, logging."""

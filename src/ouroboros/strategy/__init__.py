"""Decision policies: they read features up to now and say what to buy and sell, nothing more."""

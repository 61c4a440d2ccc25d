"""The live agent's groundwork: the parts the session driver (``ouroboros trade``) plugs together.

    from ouroboros.agent import JobBook, MemoryJournal, load_config, plan_day, SessionRules

    config = load_config(env_file=Path(".env"), adapter_keys=kis_keys)   # ConfigError names a key
    plan = plan_day("KR", date(2026, 11, 19), SessionRules.from_settings(config.agent))
    JobBook.from_settings(config.agent, MemoryJournal()).listing(now)    # trade --list-jobs

Settings (``settings``), day plans from the calendars (``lifecycle``), the job book and its
runtimes (``jobs``, ``scheduler``), health (``health``, ``tickcheck``, ``fx``), the pre-open
correlation map (``correlation``) and structured logs (``logs``). Nothing here opens a socket,
a database or reads the wall clock: time comes in as ``now`` or through a ``Clock``, and the
outside world through small protocols (event sink, job journal, FX record sink). See
docs/agent.md.
"""

from ouroboros.agent.correlation import (
    correlated_pairs,
    correlation_map,
    correlation_map_for,
    daily_returns,
)
from ouroboros.agent.events import (
    AgentEvent,
    BrokerRecovered,
    BrokerUnreachable,
    Clock,
    EventSink,
    FxRateStale,
    HeartbeatMissed,
    HeartbeatRecovered,
    JobFailed,
    JobRan,
    JobSkipped,
    ListSink,
)
from ouroboros.agent.fx import (
    EntryFx,
    FxObservation,
    FxOrigin,
    FxRecordSink,
    LiveFxSource,
    MemoryFxRecords,
)
from ouroboros.agent.health import HeartbeatTracker, NetworkMonitor, Reachability, missed_beats
from ouroboros.agent.jobs import (
    CatchUp,
    DayJob,
    JobBook,
    JobJournal,
    JobKind,
    JobListing,
    JobRun,
    MemoryJournal,
    PeriodicJob,
    list_jobs,
)
from ouroboros.agent.lifecycle import (
    DayPhase,
    DayPlan,
    PhaseWindow,
    SessionRules,
    plan_day,
    plan_days,
)
from ouroboros.agent.logs import (
    LoggingHandle,
    SecretRedactor,
    bind_run,
    configure_logging,
    cycle,
    get_logger,
    new_id,
)
from ouroboros.agent.scheduler import AgentScheduler, JobCallback, JobRunner
from ouroboros.agent.secrets import is_secret_key
from ouroboros.agent.settings import AgentConfig, AgentSettings, load_config
from ouroboros.agent.tickcheck import TickProblem, TickRules, TickVerdict, validate_tick

__all__ = [
    "AgentConfig",
    "AgentEvent",
    "AgentScheduler",
    "AgentSettings",
    "BrokerRecovered",
    "BrokerUnreachable",
    "CatchUp",
    "Clock",
    "DayJob",
    "DayPhase",
    "DayPlan",
    "EntryFx",
    "EventSink",
    "FxObservation",
    "FxOrigin",
    "FxRateStale",
    "FxRecordSink",
    "HeartbeatMissed",
    "HeartbeatRecovered",
    "HeartbeatTracker",
    "JobBook",
    "JobCallback",
    "JobFailed",
    "JobJournal",
    "JobKind",
    "JobListing",
    "JobRan",
    "JobRun",
    "JobRunner",
    "JobSkipped",
    "ListSink",
    "LiveFxSource",
    "LoggingHandle",
    "MemoryFxRecords",
    "MemoryJournal",
    "NetworkMonitor",
    "PeriodicJob",
    "PhaseWindow",
    "Reachability",
    "SecretRedactor",
    "SessionRules",
    "TickProblem",
    "TickRules",
    "TickVerdict",
    "bind_run",
    "configure_logging",
    "correlated_pairs",
    "correlation_map",
    "correlation_map_for",
    "cycle",
    "daily_returns",
    "get_logger",
    "is_secret_key",
    "list_jobs",
    "load_config",
    "missed_beats",
    "new_id",
    "plan_day",
    "plan_days",
    "validate_tick",
]

"""The operator's HTTP API (FastAPI) over the service layer; see docs/operator.md."""

from ouroboros.interfaces.api.app import create_app
from ouroboros.interfaces.api.security import ApiSecurity, check_bind

__all__ = ["ApiSecurity", "check_bind", "create_app"]

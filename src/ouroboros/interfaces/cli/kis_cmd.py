"""``ouroboros kis-sandbox``: run the local KIS sandbox in the foreground."""

from __future__ import annotations

import socket

import typer

from ouroboros.interfaces.cli.output import emit_json
from ouroboros.sandbox.kis import FaultPlan, KisSandbox, SandboxConfig


def kis_sandbox(
    port: int = typer.Option(
        29443, "--port", min=1, max=65535, help="port to listen on (127.0.0.1)"
    ),
    virtual: bool = typer.Option(False, "--virtual", help="behave like the virtual (모의) server"),
    seed: int = typer.Option(7, "--seed", min=0, help="seed of the price random walk"),
    rate_limit: float | None = typer.Option(
        None, "--rate-limit", help="requests/s per app key before EGW00201 (default 20 / 2; 0 off)"
    ),
    tick: float | None = typer.Option(
        1.0, "--tick", help="seconds between price steps (0 to move prices only on request)"
    ),
    p_5xx: float = typer.Option(
        0.0, "--fault-5xx", min=0.0, max=1.0, help="probability of a 5xx per request"
    ),
    p_timeout: float = typer.Option(
        0.0, "--fault-timeout", min=0.0, max=1.0, help="probability of a slow response"
    ),
    sessions: bool = typer.Option(False, "--sessions", help="refuse orders outside market hours"),
    app_key: str | None = typer.Option(
        None, "--app-key", help="app key to accept (default: 36 characters derived from --seed)"
    ),
    app_secret: str | None = typer.Option(
        None, "--app-secret", help="app secret to accept (default: 180 characters from --seed)"
    ),
    json_output: bool = typer.Option(
        False, "--json", help="print the URLs and settings as one JSON object, then serve"
    ),
) -> None:
    """Run a local KIS Open API sandbox (REST + WebSocket) for demos and manual testing."""
    _check_port_free(port)
    config = SandboxConfig(
        virtual=virtual,
        seed=seed,
        rate_limit=rate_limit,
        auto_step_interval=tick or None,
        enforce_sessions=sessions,
        faults=FaultPlan(seed=seed, p_5xx=p_5xx, p_timeout=p_timeout),
        app_key=app_key,
        app_secret=app_secret,
    )
    sandbox = KisSandbox(config, port=port)
    app = sandbox.app_credentials
    env = {
        "KIS_BASE_URL": sandbox.base_url,
        "KIS_WS_URL": sandbox.ws_url,
        "KIS_APP_KEY": app.app_key,
        "KIS_APP_SECRET": app.app_secret,
        "KIS_ACCOUNT_NO": app.accounts[0],
        "KIS_VIRTUAL": str(virtual).lower(),
        "KIS_HTS_ID": app.hts_id,
    }
    if json_output:
        emit_json(
            {"base_url": sandbox.base_url, "ws_url": sandbox.ws_url, "virtual": virtual, "env": env}
        )
    else:
        kind = "virtual" if virtual else "real"
        typer.echo(f"KIS sandbox ({kind}-style) on {sandbox.base_url} (WebSocket {sandbox.ws_url})")
        typer.echo("Point Ouroboros at it with:")
        typer.echo("  export " + " ".join(f"{k}={v}" for k, v in list(env.items())[:2]))
        typer.echo("  export " + " ".join(f"{k}={v}" for k, v in list(env.items())[2:4]))
        typer.echo("  export " + " ".join(f"{k}={v}" for k, v in list(env.items())[4:6]))
        typer.echo(f"  export KIS_HTS_ID={app.hts_id}")
        typer.echo(
            "Controls: POST /_sandbox/{price,step,fault,fault-plan,expire-tokens,clock,"
            "drop-websockets,holding}, GET /_sandbox/state"
        )
    sandbox.serve_forever()


def _check_port_free(port: int) -> None:
    """Refuse a port already in use in one line, before the server logs its own traceback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise typer.BadParameter(
                f"port {port} on 127.0.0.1 is not available ({exc.strerror})", param_hint="--port"
            ) from None

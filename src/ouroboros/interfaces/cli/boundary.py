"""The error boundary as a click group: every ``ouroboros`` command group runs inside it, so an
expected failure is one line and its exit code whether the group is the root or a sub-group
invoked on its own (tests do that)."""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from typer import _click as click  # typer vendors click: its exceptions are these
from typer.core import TyperGroup

from ouroboros.interfaces.cli.errors import (
    ExitCode,
    Verdict,
    classify,
    debug_requested,
    report,
    reset_inputs,
)


def _json_requested(args: list[str]) -> bool:
    return "--json" in args[: args.index("--")] if "--" in args else "--json" in args


def _usage_verdict(exc: click.exceptions.UsageError) -> Verdict:
    where = exc.ctx.command_path if exc.ctx is not None else "ouroboros"
    message = exc.format_message().replace("\n", " ").strip()
    return Verdict(ExitCode.BAD_INPUT, f"{message} (see '{where} --help')")


class BoundaryGroup(TyperGroup):
    """A group whose sub-commands run inside the error boundary."""

    def invoke(self, ctx: click.Context) -> Any:
        args = [*ctx._protected_args, *ctx.args]
        debug = bool(ctx.params.get("debug")) or debug_requested(args)
        json_output = _json_requested(args)
        outermost = not ctx.meta.get("ouroboros.boundary")
        ctx.meta["ouroboros.boundary"] = True
        if outermost:
            reset_inputs()
        try:
            return super().invoke(ctx)
        except typer.Exit:
            raise
        except BrokenPipeError:
            # `ouroboros ... | head`: the reader left; say nothing, like other command lines
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(int(ExitCode.BROKEN_PIPE)) from None
        except click.exceptions.UsageError as exc:
            if debug:
                raise
            report(_usage_verdict(exc), json_output=json_output)
            raise typer.Exit(int(ExitCode.BAD_INPUT)) from None
        except click.exceptions.ClickException as exc:
            if debug:
                raise
            verdict = Verdict(ExitCode(exc.exit_code or 1), exc.format_message())
            report(verdict, json_output=json_output)
            raise typer.Exit(exc.exit_code or 1) from None
        except (KeyboardInterrupt, typer.Abort) as exc:
            if debug and isinstance(exc, KeyboardInterrupt):
                raise
            report(Verdict(ExitCode.INTERRUPTED, "interrupted"), json_output=json_output)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except Exception as exc:
            if debug:
                raise
            verdict = classify(exc)
            report(verdict, json_output=json_output)
            raise typer.Exit(int(verdict.code)) from None

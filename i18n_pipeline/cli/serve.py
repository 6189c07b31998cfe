"""serve: the translator workspace in the browser; users: its accounts."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from ..errors import PipelineError, UsageError
from .common import ConfigOpt, GlossaryOpt, StateOpt, app, cli_settings, fail, users_app

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
PASSWORD_ENV = "I18N_PIPELINE_PASSWORD"


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; anything but 127.0.0.1 requires accounts."),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    out: Optional[Path] = typer.Option(None, "--out", help="The outputs folder translate wrote [default ./out]."),
    state: Optional[Path] = StateOpt,
    glossary: Optional[Path] = GlossaryOpt,
    config: Optional[Path] = ConfigOpt,
    accounts: bool = typer.Option(False, "--accounts", help="Require a login even on 127.0.0.1."),
    forwarded_allow_ips: Optional[str] = typer.Option(
        None, "--forwarded-allow-ips",
        help="Behind a load balancer: its addresses (comma-separated, or *), whose X-Forwarded-For gives each "
             "translator's own address (the login lockout counts per address) [default: 127.0.0.1, or "
             "$FORWARDED_ALLOW_IPS]."),
) -> None:
    """Open the translator workspace: queue, editor, every save to the TM and the outputs.

    On 127.0.0.1 the printed URL carries a secret for this launch; on any other host everyone
    logs in with an account (`i18n-pipeline users add`).
    """
    import uvicorn

    from ..web import WebConfig, create_app

    try:
        settings = cli_settings(config, out_dir=out, state_dir=state, glossary_dir=glossary)
        need_accounts = accounts or host not in LOCAL_HOSTS
        web = WebConfig(settings, accounts=need_accounts, local_user=_local_name())
        asgi = create_app(web)
        if need_accounts and not asgi.app.state.workspace.has_users():
            asgi.app.state.workspace.close()
            raise UsageError(f"--host {host} needs accounts and there are none; add one first: "
                             "i18n-pipeline users add NAME --role reviewer")
    except PipelineError as exc:
        fail(exc)
    _prepare_fuzzy_index(settings)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + ("" if need_accounts else f"?token={web.token}")
    typer.echo(f"workspace: {url}", err=False)
    sys.stdout.flush()
    # uvicorn's own proxy-header handling: trusted addresses only; everyone else's header is ignored.
    proxy = {} if forwarded_allow_ips is None else {"forwarded_allow_ips": forwarded_allow_ips}
    uvicorn.run(asgi, host=host, port=port, log_level="warning", access_log=False, proxy_headers=True, **proxy)


def _prepare_fuzzy_index(settings) -> None:
    """Build the TM's fuzzy-match index before the first editor asks (a request would wait on it).

    A memory whose index cannot be built (a PostgreSQL server without pg_trgm) still serves: the
    editor shows that error where the matches would be, as before; here it is one warning line.
    """
    from ..tm_search import prepare_fuzzy_index

    def building(location: str, rows: int) -> None:
        typer.echo(f"{location}: building the fuzzy-match index for {rows} rows before serving (once; a large "
                   "PostgreSQL memory takes a minute or more)", err=True)

    try:
        index = prepare_fuzzy_index(settings, on_build=building)
    except PipelineError as exc:
        typer.echo(f"warning: fuzzy matches will not work: {exc}", err=True)
        return
    if index.built:
        typer.echo(f"{index.location}: fuzzy-match index built in {index.seconds:.1f} s", err=True)


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="Login name (letters, digits, . _ -)."),
    role: list[str] = typer.Option(..., "--role", help="translator:ru | translator:arm | reviewer | glossary | admin (repeatable)."),
    state: Optional[Path] = StateOpt,
) -> None:
    """Add a workspace account (or set a user's password and roles); asks for the password.

    The password may come from the environment variable I18N_PIPELINE_PASSWORD instead (scripts).
    """
    from ..accounts import parse_roles
    from ..workspace import Workspace

    try:
        roles = parse_roles(role)
        password = os.environ.get(PASSWORD_ENV) or typer.prompt("password", hide_input=True, confirmation_prompt=True)
        with Workspace(cli_settings(None, state_dir=state)) as workspace:
            workspace.add_user(name, password, roles)
    except PipelineError as exc:
        fail(exc)
    typer.echo(f"user {name}: {', '.join(roles)}")


@users_app.command("list")
def users_list(state: Optional[Path] = StateOpt) -> None:
    """List the workspace accounts and their roles."""
    from ..workspace import Workspace

    try:
        with Workspace(cli_settings(None, state_dir=state)) as workspace:
            users = workspace.users()
    except PipelineError as exc:
        fail(exc)
    for user in users:
        typer.echo(f"{user.name}\t{' '.join(user.roles)}")


def _local_name() -> str:
    try:
        return getpass.getuser() or "local"
    except (KeyError, OSError):
        return "local"

"""Who may write an article's outputs now: claims held for a batch or a save, renewed while held.

On a shared memory (PostgreSQL) a claim is a lease row in ``article_claims`` (see
``postgres.py``): the holder's for ``lease_s`` seconds (``[tm] lease_s``). ``Lease`` takes the
claims and runs a heartbeat — a daemon thread that extends the holder's leases every
``lease_s / 3`` seconds — so a batch that takes longer than one lease keeps its articles, while
a holder that dies (its heartbeat with it) loses them when the lease runs out. Leaving the
``with`` stops the heartbeat and releases the claims.

An article another owner holds is watched for a while rather than given up at once. A live
holder renews its lease within a third of it: seeing the expiry move, the claimer leaves that
article to it (the batch fails that article, one line). A holder that finishes (a workspace save
takes a moment) frees it, and a dead one's lease runs out: either way the claimer takes it. So a
rerun straight after a killed run waits at most one lease for the articles the dead run held,
and a run meeting a translator's save waits the moment the save takes.

The embedded memory (SQLite) has no claims: every article is granted and there is no heartbeat;
the state folder's run lock serves (``TranslationMemory.run_guard``).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..errors import ConnectionLostError

if TYPE_CHECKING:
    from .base import TranslationMemory

log = logging.getLogger(__name__)

WORKSPACE_OWNER = "workspace:"  # owner prefix of a workspace save: "workspace:<user>:<id>"
_POLL_S = 0.5  # how often a claimer looks again at articles another owner holds (at most, for short leases)
_RENEWED_S = 0.05  # an expiry later than first seen by more than this: the holder renewed it, so it lives


def article_key(out_dir: Path | str, stem: str) -> str:
    """What two writers must not write at once: one article's output folder, as an absolute path."""
    return str(Path(out_dir).resolve() / stem)


def describe_owner(owner: str) -> str:
    """A claim's holder as a message names it: ``run host:pid:id`` or ``rita's save in the workspace``."""
    if owner.startswith(WORKSPACE_OWNER):
        return f"{owner[len(WORKSPACE_OWNER):].split(':')[0]}'s save in the workspace"
    return f"run {owner}"


class Lease:
    """``with memory.claimed(articles, owner, lease_s) as lease``: ``lease.articles`` are this owner's
    until the block ends; ``lease.held_by`` names the live holder of each article it did not get."""

    def __init__(self, memory: TranslationMemory, articles: Sequence[str], owner: str, lease_s: float,
                 *, patient: bool = True):
        self._memory = memory
        self.owner = owner
        self.lease_s = lease_s
        self.held_by: dict[str, str] = {}
        self.lost: set[str] = set()  # claims a renewal found gone (this holder's lease had run out)
        self.articles: set[str] = memory.claim(articles, owner, lease_s)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        refused = [a for a in articles if a not in self.articles]
        try:
            if refused:
                self._take_over(refused, patient)
        except BaseException:
            self.__exit__()
            raise
        if self.articles and memory.has_claims:
            self._thread = threading.Thread(target=self._beat, name=f"lease-{owner}", daemon=True)
            self._thread.start()

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop_heartbeat()
        try:
            self._memory.release(sorted(self.articles), self.owner)
        except ConnectionLostError as exc:  # the leases run out on their own
            log.warning("%s", exc)

    def stop_heartbeat(self) -> None:
        """Stop renewing (leaving the ``with`` does this, then releases); without a release, as
        when the holder dies, the claims end when the lease runs out."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _beat(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                kept = self._memory.renew(sorted(self.articles - self.lost), self.owner, self.lease_s)
            except ConnectionLostError as exc:  # the next beat tries again, well within the lease
                log.warning("%s; the article claims are renewed at the next try", exc)
                continue
            lost = self.articles - self.lost - kept
            if lost:
                log.warning("%s: the claim on %s ran out and another writer holds it now",
                            self.owner, ", ".join(sorted(lost)))
                self.lost |= lost

    def _take_over(self, refused: list[str], patient: bool) -> None:
        """Watch the articles others hold (see the module docstring): take each one its holder frees
        or stops renewing; leave each whose holder renews it (``held_by``), or all at once if not ``patient``."""
        first_expiry: dict[str, tuple[str, float]] = {}
        while refused:
            held, now = self._memory.holders(refused), time.monotonic()
            waiting = []
            for article in refused:
                if article not in held:  # freed, or run out, since we asked
                    waiting.append(article)
                    continue
                owner, left = held[article]
                seen_owner, seen_expiry = first_expiry.setdefault(article, (owner, now + left))
                if not patient or owner != seen_owner or now + left > seen_expiry + _RENEWED_S:
                    self.held_by[article] = owner  # a live holder: its article
                else:
                    waiting.append(article)
            if not waiting:
                return
            if any(a in held for a in waiting):
                time.sleep(min(_POLL_S, self.lease_s / 10))
            got = self._memory.claim(waiting, self.owner, self.lease_s)
            self.articles |= got
            refused = [a for a in waiting if a not in got]

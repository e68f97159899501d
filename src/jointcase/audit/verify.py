"""Verify the whole audit chain, and the signed checkpoints that witness it.

``chain_verify`` streams every entry in ``seq`` order (keyset pagination, plain tuples from
the cursor, the fast hash path), recomputes each hash and link, and checks every checkpoint
(stored in the database and given as files) against the chain. It stops at the first bad
entry and says what is wrong with it:

- ``edited``: an entry's content no longer matches its hash;
- ``deleted``: a ``seq`` is missing (a gap);
- ``inserted``: an entry that is not part of the chain (forged), found by its link or by the
  authentic entries it displaced;
- ``reordered``: an authentic entry sits at another position than the one it was written at;
- ``truncated``: the chain ends before a signed checkpoint or the chain head says it should
  (tail deleted, or an older copy of the database restored);
- ``restored``: the chain disagrees with a signed checkpoint at its position (rewritten or
  restored from an older copy and then appended to);
- ``checkpoint``: a checkpoint is malformed or its signature does not verify.

The command (``jointcase audit verify``) only prints this result.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connections

from jointcase.audit.chain import (
    GENESIS_HASH,
    ROW_COLUMNS,
    TIMESTAMP_SQL,
    _details_text,
    row_hasher,
)
from jointcase.audit.checkpoints import (
    Checkpoint,
    CheckpointInvalid,
    checkpoint_parse,
    checkpoints_stored,
)
from jointcase.audit.models import ChainHead
from jointcase.keyring import KeyringError, keyring_load

SEQ = ROW_COLUMNS.index("seq")
PREV = ROW_COLUMNS.index("prev_hash")
HASH = ROW_COLUMNS.index("entry_hash")


def _select(vendor: str) -> str:
    columns = [
        TIMESTAMP_SQL[vendor] if name == "occurred_at" and vendor in TIMESTAMP_SQL else name
        for name in ROW_COLUMNS
    ]
    return "SELECT " + ", ".join(columns) + " FROM audit_auditentry"  # noqa: S608 - constants


@dataclass(frozen=True)
class Problem:
    kind: str
    seq: int
    message: str


@dataclass
class VerifyResult:
    entries: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    checkpoints_checked: int = 0
    problem: Problem | None = None
    checkpoint_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.checkpoint_errors

    @property
    def rate(self) -> float:
        return self.entries / self.seconds if self.seconds > 0 else 0.0


def _fast_select(vendor: str) -> str | None:
    """SQLite only: SQL that builds each entry's canonical bytes around ``details``.

    Returns rows ``(seq, prev_hash, entry_hash, before_details, details_text, after_details)``;
    Python then only canonicalises non-empty ``details`` and hashes. SQLite's ``json_quote``
    escapes exactly as the canonical encoding does (", \\, \\b \\f \\n \\r \\t, other
    controls as lower-case \\u00xx, everything else as UTF-8); tests/audit check it on the real
    library. PostgreSQL streams plain columns instead (faster there: see ``_stream``).
    """
    if vendor != "sqlite":
        return None

    def member(name: str, first: bool = False) -> str:
        key = ("'{" if first else "',") + f'"{name}":' + "'"
        if name == "actor_id":
            value = "coalesce(CAST(actor_id AS TEXT), 'null')"
        elif name == "seq":
            value = "CAST(seq AS TEXT)"
        elif name == "occurred_at":
            value = f"json_quote({TIMESTAMP_SQL['sqlite']})"
        elif name == "prev_hash":
            value = "'\"' || prev_hash || '\"'"
        else:
            value = f"json_quote({name})"
        return f"{key} || {value}"

    sorted_fields = sorted(ROW_COLUMNS[:-1])
    split = sorted_fields.index("details")
    before = " || ".join(
        [member(name, first=index == 0) for index, name in enumerate(sorted_fields[:split])]
        + ["',\"details\":'"]
    )
    after = " || ".join([member(name) for name in sorted_fields[split + 1 :]] + ["'}'"])
    return (
        f"SELECT seq, prev_hash, entry_hash, {before}, details, {after} "  # noqa: S608
        "FROM audit_auditentry"
    )


def _fast_path_supported(using: str) -> bool:
    return connections[using].vendor == "sqlite"


def _pages(
    using: str, query: str, chunk_size: int, low: int = -(2**62), high: int = 2**62
) -> Iterator[list[tuple[Any, ...]]]:
    """Pages of rows with low < seq <= high, by seq (keyset pagination: index range scans)."""
    connection = connections[using]
    query += " WHERE seq > %s AND seq <= %s ORDER BY seq LIMIT %s"
    last = low
    while True:
        with connection.cursor() as cursor:
            cursor.execute(query, [last, high, chunk_size])
            page = cursor.fetchall()
        if not page:
            return
        yield page
        if len(page) < chunk_size:
            return
        last = page[-1][0]


_DONE = object()


def _stream(
    using: str, query: str, chunk_size: int, low: int = -(2**62), high: int = 2**62
) -> Iterator[tuple[Any, ...]]:
    """Every row; on PostgreSQL the next page is fetched in a second thread meanwhile.

    The PostgreSQL server builds and sends a page while Python hashes the previous one.
    Inside a transaction (as in tests) another connection could not see uncommitted rows, so
    pages are then fetched in this thread; SQLite gains nothing from it (one process).
    """
    connection = connections[using]
    if connection.in_atomic_block or connection.vendor != "postgresql":
        for page in _pages(using, query, chunk_size, low, high):
            yield from page
        return
    pages: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce() -> None:
        try:
            for page in _pages(using, query, chunk_size, low, high):
                if stop.is_set():
                    break
                pages.put(page)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer
            pages.put(error)
        finally:
            pages.put(_DONE)
            connections[using].close()

    producer = threading.Thread(target=produce, name="audit-verify-fetch", daemon=True)
    producer.start()
    try:
        while True:
            item = pages.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item
    finally:
        stop.set()
        while producer.is_alive():
            with contextlib.suppress(queue.Empty):
                pages.get(timeout=0.05)
        producer.join()


def _hashed(
    using: str, chunk_size: int, low: int = -(2**62), high: int = 2**62
) -> Iterator[tuple[int, str, str, str]]:
    """``(seq, prev_hash, stored entry_hash, recomputed hash)`` for low < seq <= high.

    A row that cannot even be encoded (a NULL, undecodable details) gets recomputed "".
    """
    vendor = connections[using].vendor
    sha256 = hashlib.sha256
    if _fast_path_supported(using):
        for seq, prev_hash, stored_hash, before, details, after in _stream(
            using, _fast_select(vendor) or "", chunk_size, low, high
        ):
            try:
                text = before + ("{}" if details == "{}" else _details_text(details)) + after
                recomputed = sha256(text.encode("utf-8")).hexdigest()
            except (TypeError, ValueError):
                recomputed = ""
            yield seq, prev_hash, stored_hash, recomputed
        return
    hash_row = row_hasher(timestamp_is_text=vendor in TIMESTAMP_SQL)
    for row in _stream(using, _select(vendor), chunk_size, low, high):
        yield row[SEQ], row[PREV], row[HASH], _safe_hash(hash_row, row)


def _scan_range(task: tuple[str, int, int, int, frozenset[int]]) -> dict[str, Any]:
    """One worker's share of the parallel pass: is the range internally sound?"""
    using, low, high, chunk_size, watched = task
    first_prev: str | None = None
    previous = ""
    expected = low + 1
    bad: int | None = None
    seen: dict[int, str] = {}
    try:
        for seq, prev_hash, stored_hash, recomputed in _hashed(using, chunk_size, low, high):
            if first_prev is None:
                first_prev = previous = prev_hash
            if seq != expected or prev_hash != previous or recomputed != stored_hash:
                bad = expected
                break
            if seq in watched:
                seen[seq] = recomputed
            previous = recomputed
            expected += 1
    finally:
        connections.close_all()
    return {
        "low": low,
        "high": high,
        "first_prev": first_prev,
        "last_seq": expected - 1,
        "last_hash": previous,
        "bad": bad,
        "seen": seen,
    }


#: Chains at least this long are first checked by several processes at once.
PARALLEL_MIN_ENTRIES = 100_000


def _parallel_all_clear(
    using: str,
    last_seq: int,
    jobs: int,
    chunk_size: int,
    watched: frozenset[int],
    progress: Callable[[int], None] | None,
) -> tuple[str, dict[int, str]] | None:
    """Check seq ranges in ``jobs`` processes; ``(last hash, watched hashes)`` if all sound.

    Each range must be internally sound and start where the previous one ended. Anything
    else returns None, and the sequential pass then finds and names the first problem.
    """
    ranges = max(jobs * 4, 1)
    step = -(-last_seq // ranges)
    tasks = [
        (using, low, min(low + step, last_seq), chunk_size, watched)
        for low in range(0, last_seq, step)
    ]
    connections.close_all()  # never share a connection across fork
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        results = []
        for outcome in pool.imap(_scan_range, tasks):
            results.append(outcome)
            if progress is not None:
                progress(outcome["last_seq"] - outcome["low"])
    previous = GENESIS_HASH
    seen: dict[int, str] = {}
    for outcome in results:
        if (
            outcome["bad"] is not None
            or outcome["last_seq"] != outcome["high"]
            or outcome["first_prev"] != previous
        ):
            return None
        previous = outcome["last_hash"]
        seen.update(outcome["seen"])
    return previous, seen


def _row_at(using: str, seq: int) -> tuple[Any, ...] | None:
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(_select(connection.vendor) + " WHERE seq = %s", [seq])
        return cursor.fetchone()


class _Lookup:
    """Slow questions asked only once something is already wrong."""

    def __init__(self, using: str) -> None:
        self.connection = connections[using]

    def seq_with_hash(self, entry_hash: str) -> int | None:
        if entry_hash == GENESIS_HASH:
            return 0
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT seq FROM audit_auditentry WHERE entry_hash = %s ORDER BY seq LIMIT 1",
                [entry_hash],
            )
            found = cursor.fetchone()
        return int(found[0]) if found else None


def _safe_hash(hash_row: Callable[..., str], row: tuple[Any, ...]) -> str:
    try:
        return hash_row(row)
    except (TypeError, ValueError):  # a NULL or undecodable value: the row was changed
        return ""


def _original_position(
    row: tuple[Any, ...], lookup: _Lookup, hash_row: Callable[..., str]
) -> int | None:
    """Where an authentic entry was written, if it has been moved (its hash fits another seq)."""
    linked = lookup.seq_with_hash(row[PREV])
    if linked is None:
        return None
    moved = list(row)
    moved[SEQ] = linked + 1
    return linked + 1 if _safe_hash(hash_row, tuple(moved)) == row[HASH] else None


def _diagnose(
    row: tuple[Any, ...],
    recomputed: str,
    expected: int,
    lookup: _Lookup,
    hash_row: Callable[..., str],
) -> Problem:
    seq = int(row[SEQ])
    if seq > expected:
        missing = f"entry {expected}" if seq == expected + 1 else f"entries {expected} to {seq - 1}"
        return Problem(
            "deleted",
            expected,
            f"{missing} missing: the chain jumps from {expected - 1} to {seq} (deleted entry)",
        )
    if seq < expected:
        return Problem("inserted", seq, f"entry {seq} appears twice (inserted entry)")
    if recomputed != row[HASH]:
        original = _original_position(row, lookup, hash_row)
        if original is not None and original > seq:
            return Problem(
                "reordered",
                seq,
                f"entry {seq} is the entry written at position {original}: entries were reordered",
            )
        if original is not None and original < seq:
            count = seq - original
            return Problem(
                "inserted",
                original,
                f"entry {original} is not part of the chain: {count} forged "
                f"entr{'y' if count == 1 else 'ies'} inserted at {original}, pushing the "
                f"authentic entry {original} to position {seq} (inserted entry)",
            )
        return Problem(
            "edited", seq, f"entry {seq}: its content no longer matches its hash (edited field)"
        )
    linked = lookup.seq_with_hash(row[PREV])
    if linked is None:
        return Problem(
            "inserted",
            seq,
            f"entry {seq} links to no entry of this chain: a forged entry (inserted entry)",
        )
    if linked < seq - 1:
        return Problem(
            "inserted",
            linked + 1,
            f"entries {linked + 1} to {seq - 1} are not part of the chain: entry {seq} follows "
            f"entry {linked} (inserted entry)",
        )
    return Problem(
        "reordered",
        seq,
        f"entry {seq} follows entry {linked} in the chain, not {seq - 1}: entries were reordered",
    )


def _load_checkpoints(
    documents: Iterable[tuple[str, Any]],
    public_keys: dict[int, Ed25519PublicKey],
    include_stored: bool,
    result: VerifyResult,
) -> list[Checkpoint]:
    checkpoints: list[Checkpoint] = []
    candidates: list[Checkpoint | CheckpointInvalid] = []
    if include_stored:
        candidates += checkpoints_stored(public_keys)
    for source, document in documents:
        try:
            candidates.append(checkpoint_parse(document, public_keys, source=source))
        except CheckpointInvalid as error:
            candidates.append(CheckpointInvalid(f"{source}: {error}"))
    for candidate in candidates:
        if isinstance(candidate, CheckpointInvalid):
            result.checkpoint_errors.append(str(candidate))
        else:
            checkpoints.append(candidate)
    return sorted(checkpoints, key=lambda checkpoint: checkpoint.seq)


class _CheckpointGate:
    """The signed checkpoints by the entry they name; compares the chain as it is walked."""

    def __init__(self, checkpoints: list[Checkpoint]) -> None:
        self.by_seq: dict[int, list[Checkpoint]] = {}
        for checkpoint in checkpoints:
            self.by_seq.setdefault(checkpoint.seq, []).append(checkpoint)
        self.last_good = 0

    def check(self, seq: int, entry_hash: str) -> Problem | None:
        """A restored or rewritten chain: the entry's hash differs from a checkpoint's."""
        for checkpoint in self.by_seq.get(seq, ()):
            if checkpoint.entry_hash != entry_hash:
                start = self.last_good + 1
                return Problem(
                    "restored",
                    start,
                    f"the chain disagrees at entry {seq} with the checkpoint signed at "
                    f"{checkpoint.checkpoint_time} ({checkpoint.source}): entries after "
                    f"{self.last_good} were rewritten, or an older copy was restored "
                    f"and appended to; the first bad entry is between {start} and {seq}",
                )
        self.last_good = seq
        return None


def _public_keys(
    documents: list[tuple[str, Any]], include_stored: bool, result: VerifyResult
) -> tuple[dict[int, Ed25519PublicKey], list[tuple[str, Any]], bool]:
    """The keyring's audit keys; without a keyring, no checkpoint can be checked (reported as
    an error, and the chain itself is still verified)."""
    try:
        return keyring_load().audit_public_keys(), documents, include_stored
    except KeyringError as error:
        if documents or include_stored:
            result.checkpoint_errors.append(f"checkpoints not checked: {error}")
        return {}, [], False


def chain_verify(
    *,
    checkpoint_documents: Iterable[tuple[str, Any]] = (),
    public_keys: dict[int, Ed25519PublicKey] | None = None,
    include_stored: bool = True,
    using: str = "default",
    chunk_size: int = 20_000,
    progress: Callable[[int], None] | None = None,
    jobs: int | None = None,
) -> VerifyResult:
    """Verify the chain and its checkpoints; stops at the first bad entry.

    Chains of ``PARALLEL_MIN_ENTRIES`` or more are first checked in ``jobs`` processes
    (default: the CPU count, at most 8); only if that finds anything is the chain walked
    again in one process to name the first bad entry.

    ``checkpoint_documents`` are ``(source name, parsed JSON)`` pairs, e.g. files a witness
    kept. ``public_keys`` default to the keyring's; without a keyring, checkpoints cannot be
    checked and are reported as errors (the chain itself is still verified).
    """
    started = time.perf_counter()
    result = VerifyResult()
    documents = list(checkpoint_documents)
    if public_keys is None:
        public_keys, documents, include_stored = _public_keys(documents, include_stored, result)
    checkpoints = _load_checkpoints(documents, public_keys, include_stored, result)
    result.checkpoints_checked = len(checkpoints)
    head = ChainHead.objects.using(using).filter(id=1).values_list("seq", flat=True).first() or 0
    gate = _CheckpointGate(checkpoints)
    problem = gate.check(0, GENESIS_HASH) if 0 in gate.by_seq else None
    jobs = min(os.cpu_count() or 1, 8) if jobs is None else jobs
    if problem is None and jobs > 1 and not connections[using].in_atomic_block:
        clear = _parallel_pass(using, jobs, chunk_size, gate, progress)
        if clear is not None:
            last_seq, last_hash = clear
            return _finish(result, checkpoints, head, last_seq, last_hash, None, started)
    last_seq, last_hash, problem = _sequential_pass(using, chunk_size, gate, progress, problem)
    return _finish(result, checkpoints, head, last_seq, last_hash, problem, started)


def _parallel_pass(
    using: str,
    jobs: int,
    chunk_size: int,
    gate: _CheckpointGate,
    progress: Callable[[int], None] | None,
) -> tuple[int, str] | None:
    """A long chain checked in ``jobs`` processes: its last entry and hash when all is well,
    else None (and the gate and progress reset), so that the sequential pass names the first
    bad entry."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT max(seq) FROM audit_auditentry")
        last_seq = int(cursor.fetchone()[0] or 0)
    if last_seq < PARALLEL_MIN_ENTRIES:
        return None
    counted = [0]

    def count(amount: int) -> None:
        counted[0] += amount
        if progress is not None:
            progress(amount)

    clear = _parallel_all_clear(using, last_seq, jobs, chunk_size, frozenset(gate.by_seq), count)
    if clear is not None:
        last_hash, seen = clear
        if all(gate.check(seq, seen[seq]) is None for seq in sorted(seen)):
            return last_seq, last_hash
        gate.last_good = 0  # the sequential pass finds it again and names its position
    if progress is not None:
        progress(-counted[0])  # the sequential pass counts from the start again
    return None


def _sequential_pass(
    using: str,
    chunk_size: int,
    gate: _CheckpointGate,
    progress: Callable[[int], None] | None,
    problem: Problem | None,
) -> tuple[int, str, Problem | None]:
    """Walk the chain in one process up to its first bad entry: the last good entry, its
    hash, and what is wrong (``problem``, found before the walk, takes precedence)."""
    hash_row = row_hasher(timestamp_is_text=connections[using].vendor in TIMESTAMP_SQL)
    lookup = _Lookup(using)
    previous = GENESIS_HASH
    expected = 1
    pending = 0
    for seq, prev_hash, stored_hash, recomputed in _hashed(using, chunk_size):
        if seq != expected or prev_hash != previous or recomputed != stored_hash:
            row = _row_at(using, seq)
            assert row is not None
            problem = problem or _diagnose(
                row, _safe_hash(hash_row, row), expected, lookup, hash_row
            )
            break
        previous = recomputed
        if expected in gate.by_seq:
            problem = gate.check(expected, recomputed)
            if problem:
                break
        expected += 1
        pending += 1
        if pending == 10_000 and progress is not None:
            progress(pending)
            pending = 0
    if progress is not None and pending:
        progress(pending)
    return expected - 1, previous, problem


def _finish(
    result: VerifyResult,
    checkpoints: list[Checkpoint],
    head: int,
    last_seq: int,
    last_hash: str,
    problem: Problem | None,
    started: float,
) -> VerifyResult:
    """The end of the chain against the checkpoints and the chain head: truncation."""
    result.entries = last_seq
    result.last_seq = last_seq
    result.last_hash = last_hash
    if problem is None:
        beyond = [checkpoint for checkpoint in checkpoints if checkpoint.seq > last_seq]
        if beyond:
            furthest = beyond[-1]
            problem = Problem(
                "truncated",
                last_seq + 1,
                f"the chain ends at entry {last_seq}, but the checkpoint signed at "
                f"{furthest.checkpoint_time} ({furthest.source}) covers {furthest.seq} entries: "
                f"entries {last_seq + 1} to {furthest.seq} are gone (truncated tail, or "
                "an older copy of the database restored)",
            )
        elif head > last_seq:
            problem = Problem(
                "truncated",
                last_seq + 1,
                f"the chain ends at entry {last_seq}, but the chain head records {head} "
                f"entries: entries {last_seq + 1} to {head} are gone (truncated tail)",
            )
    result.problem = problem
    result.seconds = time.perf_counter() - started
    return result

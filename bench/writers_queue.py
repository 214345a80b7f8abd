"""Two processes writing to one SQLite file, each holding the write lock `--hold` ms per
write: writes per second with SQLite's own busy loop, then with the writers' queue
(rtsuivi/sqlite_writers.py), alternated `--rounds` times. The ideal is 1000 / hold.

    .venv/bin/python bench/writers_queue.py [--writes 150] [--hold 14] [--rounds 2]
"""
import argparse
import multiprocessing
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from rtsuivi.sqlite_writers import connection_class  # noqa: E402


def _busy(seconds: float) -> None:
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


def _writer(path: str, queued: bool, writes: int, hold: float) -> None:
    extra = {"factory": connection_class(f"{path}.writers", 10.0)} if queued else {}
    connection = sqlite3.connect(path, timeout=10, isolation_level=None, **extra)
    connection.execute("PRAGMA synchronous=NORMAL")
    for number in range(writes):
        _busy(hold * 0.4)  # the work before the write (parsing a mail…)
        if queued:
            connection.wait_turn_to_write()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO t VALUES (?)", (number,))
        _busy(hold)
        connection.commit()
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=150, help="per process (1-2000)")
    parser.add_argument("--hold", type=float, default=14.0, help="ms (1-100)")
    parser.add_argument("--rounds", type=int, default=2, help="1-5")
    args = parser.parse_args()
    if not (1 <= args.writes <= 2000 and 1 <= args.hold <= 100 and 1 <= args.rounds <= 5):
        parser.error("--writes 1-2000, --hold 1-100, --rounds 1-5")
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "writers.sqlite3")
        setup = sqlite3.connect(path)
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE t (x INTEGER)")
        setup.close()
        for _round in range(args.rounds):
            for queued in (False, True):
                started = time.perf_counter()
                workers = [multiprocessing.Process(target=_writer, args=(
                    path, queued, args.writes, args.hold / 1000)) for _ in range(2)]
                for worker in workers:
                    worker.start()
                for worker in workers:
                    worker.join()
                rate = 2 * args.writes / (time.perf_counter() - started)
                print(f"{'writers queue' if queued else 'busy loop    '} {rate:6.1f} writes/s "
                      f"(ideal {1000 / args.hold:.1f})", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Coverage-guided fuzzing of every reader and importer with atheris, for a fixed time each.

    python scripts/fuzz.py                 # every target, 10 s each
    python scripts/fuzz.py --seconds 300 read-xlsx import-nmap

Each target starts from the real sample files (tests/fuzz_targets.seeds). An input that crashes a
target (an exception other than InputError, a broken batch, over 1 GiB of memory, over 20 s) is
saved under tests/data/fuzz/TARGET/ and the run fails: commit the file with the fix, and
tests/test_fuzz_regressions.py replays it from then on. Without atheris installed this says so
and exits 0 (CI installs it)."""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))


def fuzz_one(target: str, seconds: int) -> int:
    """Runs in its own process: libFuzzer ends the process when it stops."""
    import atheris

    with atheris.instrument_imports(include=["covscan"]):
        import fuzz_targets
    check = fuzz_targets.TARGETS[target]
    crashes = fuzz_targets.REGRESSIONS / target
    crashes.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"covscan-fuzz-{target}-") as corpus:
        for i, seed in enumerate(fuzz_targets.seeds(target)):
            Path(corpus, f"seed-{i}").write_bytes(seed)
        atheris.Setup([sys.argv[0], f"-max_total_time={seconds}", "-rss_limit_mb=1024", "-timeout=20", "-max_len=65536",
                       f"-artifact_prefix={crashes}/", "-print_final_stats=1", corpus], check)
        atheris.Fuzz()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help="targets to fuzz (default: all)")
    parser.add_argument("--seconds", type=int, default=10, help="time per target")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: fuzz this target in this process
    args = parser.parse_args()
    if args.one:
        return fuzz_one(args.one, args.seconds)
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("fuzz: skipped, atheris is not installed (pip install atheris)")
        return 0
    import fuzz_targets

    unknown = [t for t in args.targets if t not in fuzz_targets.TARGETS]
    if unknown:
        parser.error(f"unknown targets {', '.join(unknown)}; targets: {', '.join(fuzz_targets.TARGETS)}")
    failed = []
    for target in args.targets or list(fuzz_targets.TARGETS):
        done = subprocess.run([sys.executable, __file__, "--one", target, "--seconds", str(args.seconds)],
                              capture_output=True, text=True)
        stats = [line for line in done.stderr.splitlines() if line.startswith(("stat::number_of_executed_units", "stat::peak_rss_mb"))]
        print(f"fuzz {target}: {'ok' if done.returncode == 0 else 'CRASH'} {' '.join(s.split(':')[-1].strip() for s in stats)} (runs, peak MiB)")
        if done.returncode != 0:
            failed.append(target)
            print("\n".join(done.stderr.splitlines()[-40:]))
    if failed:
        print(f"fuzz: crashes in {', '.join(failed)}; inputs saved under {fuzz_targets.REGRESSIONS}/TARGET/ (commit them with the fix)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

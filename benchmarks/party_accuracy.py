"""Score `covscan parties` on a labelled party set (customer / supplier master files), with two naive baselines.

    python benchmarks/party_accuracy.py benchmarks/heldout/parties            # covscan only
    python benchmarks/party_accuracy.py tests/data/parties/dev --baseline     # plus the two baselines
    python benchmarks/party_accuracy.py SETDIR --misses                       # list every miss and false positive
    python benchmarks/party_accuracy.py SETDIR --no-covscan                   # the two baselines only

A set directory holds the screened files (CSV or XLSX, as a master-file export looks) and `labels.csv`
(`file,row,expected,entries,kind,note`; `row` is the 1-based data row, `expected` is `match` or `clear`,
`entries` the acceptable `LIST:entry_id` alternatives, `|`-separated). For every file the scorer runs

    covscan parties FILE --list L1 --list L2 ... -o TMP.jsonl --fail-on never -q

and joins the JSONL (one object per input row: `row`, `verdict`, `matches` best first, each with `list` and
`entry_id`) with the labels. It prints, per file and in total:

  recall          positives flagged `match` or `review`
  strict recall   positives flagged `match`
  FPR             negatives flagged `match` or `review`
  strict FPR      negatives flagged `match`
  entry right     among flagged positives, the best match's `LIST:entry_id` is one of the label's alternatives
                  (for the Treasury lists an equal entry id counts whatever the list code: the CSL repeats SDN
                  rows under the OFAC ent_num, and the consolidated list's programs map to several codes)
  errors          rows with verdict `error` (counted as not flagged)

and a per-kind table (positives: missed / n; negatives: flagged / n). With `--baseline` it also computes, over
the same rows and without covscan, two naive baselines that read the lists with this file's own csv code:
  wratio90  rapidfuzz process.extractOne(name, all list names and aliases, scorer=fuzz.WRatio), flagged
            when the score is >= 90; the best entry is the entry (entries) of the name found
  exact     the name, casefolded with punctuation removed, equals a list name or alias so normalised
The baselines read the row's name from the first name-like column (first + last name joined when the
file splits them). Exit status is always 0.
"""
from __future__ import annotations

import argparse
import collections
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path('/work/shared/fixtures/lists')
DEFAULT_LISTS = [FIXTURES / 'csl_2023-11-30' / 'consolidated.csv', FIXTURES / 'ofac_sdn_2021-07',
                 FIXTURES / 'ofac_cons_2025-12']
# list codes whose entry ids are OFAC ent_nums (shared between the CSL and the OFAC files)
TREASURY = {'SDN', 'SSI', 'PLC', 'CMIC', 'NS-MBS', 'FSE', 'CAP', 'NS-CMIC', 'NS-PLC', 'NS-MBS LIST', 'NS-PLC LIST',
            'CONS', 'NON-SDN'}
NOT_TREASURY = {'EL', 'DPL', 'UVL', 'MEU', 'ISN', 'DTC', 'KB'}


# ----------------------------------------------------------------------------- labels and files
def read_labels(setdir: Path):
    with open(setdir / 'labels.csv', newline='', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    files: dict[str, dict[int, dict]] = {}
    for r in rows:
        r['row'] = int(r['row'])
        r['alts'] = {a.strip() for a in r['entries'].split('|') if a.strip()}
        files.setdefault(r['file'], {})[r['row']] = r
    return files


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    if path.suffix.lower() in ('.xlsx', '.xlsm'):
        import openpyxl
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = [str(c) if c is not None else '' for c in next(it)]
        body = [['' if c is None else str(c) for c in row] for row in it]
        wb.close()
        return header, body
    with open(path, newline='', encoding='utf-8-sig') as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


NAME_RX = re.compile(r'name|customer|supplier|vendor|partner|account|company|party|firm', re.I)
NOT_NAME_RX = re.compile(r'\b(no|nr|number|num|id|ref|code|key)\b\.?|#|name\s*2|country|city|street|address|owner', re.I)
FIRST_RX = re.compile(r'first|given|forename', re.I)
LAST_RX = re.compile(r'last|surname|family', re.I)


def row_names(header: list[str], body: list[list[str]]) -> list[str]:
    """the naive baselines' reading of a row's name"""
    first = next((i for i, h in enumerate(header) if FIRST_RX.search(h)), None)
    last = next((i for i, h in enumerate(header) if LAST_RX.search(h)), None)
    if first is not None and last is not None:
        return [f'{r[first]} {r[last]}'.strip() if len(r) > max(first, last) else '' for r in body]
    cand = [i for i, h in enumerate(header) if NAME_RX.search(h) and not NOT_NAME_RX.search(h)]
    named = [i for i in cand if re.search(r'name', header[i], re.I)]
    # a name column holds words, not codes: skip columns whose values are mostly digits
    def wordy(i):
        vals = [r[i] for r in body if len(r) > i and r[i].strip()]
        return not vals or sum(bool(re.fullmatch(r'[\W\d_]*\d[\W\d_]*', v)) for v in vals) < len(vals) / 2
    cand = [i for i in named + [j for j in cand if j not in named] if wordy(i)]
    i = cand[0] if cand else 0
    return [r[i] if len(r) > i else '' for r in body]


# ----------------------------------------------------------------------------- lists (own reader, for the baselines)
def csl_code(source: str) -> str:
    m = re.search(r'\(([^)]+)\)', source)
    code = m.group(1) if m else source
    return {'NS-MBS List': 'NS-MBS', 'NS-PLC List': 'PLC'}.get(code, code)


def cons_codes(programs: str) -> set[str]:
    out = set()
    for p in re.split(r'\]\s*\[', programs):
        p = p.strip('[] ')
        if p.startswith('CMIC') or p.startswith('NS-CMIC'):
            out.add('CMIC')
        elif 'PLC' in p:
            out.add('PLC')
        elif p.startswith(('UKRAINE-EO13662', 'RUSSIA-EO14024')):
            out.add('SSI')
        elif p.startswith('NS-MBS') or p in ('561-Related', 'CAATSA - RUSSIA'):
            out.add('NS-MBS')
    return out or {'CONS'}


def legacy(folder: Path, prim: str, alt: str, codes) -> list[tuple[str, str]]:
    def clean(v):
        v = v.strip()
        return '' if v == '-0-' else v
    out = []
    keys: dict[str, list[str]] = {}
    with open(folder / prim, newline='', encoding='utf-8', errors='replace') as f:
        for r in csv.reader(f):
            if len(r) < 4:
                continue
            ks = [f'{c}:{r[0]}' for c in sorted(codes(r[3]))]
            keys[r[0]] = ks
            out += [(clean(r[1]), k) for k in ks]
    if (folder / alt).exists():
        with open(folder / alt, newline='', encoding='utf-8', errors='replace') as f:
            for r in csv.reader(f):
                if len(r) >= 4 and r[0] in keys and clean(r[3]):
                    out += [(clean(r[3]), k) for k in keys[r[0]]]
    return out


def load_lists(paths: list[Path]) -> list[tuple[str, str]]:
    """(name or alias, 'LIST:entry_id') pairs from CSL CSV files and OFAC legacy CSV folders"""
    out: list[tuple[str, str]] = []
    for p in paths:
        p = Path(p)
        if p.is_dir() and (p / 'sdn.csv').exists():
            out += legacy(p, 'sdn.csv', 'alt.csv', lambda prog: {'SDN'})
        elif p.is_dir() and (p / 'cons_prim.csv').exists():
            out += legacy(p, 'cons_prim.csv', 'cons_alt.csv', cons_codes)
        elif p.suffix.lower() == '.csv':
            with open(p, newline='', encoding='utf-8-sig', errors='replace') as f:
                for r in csv.DictReader(f):
                    if r.get('_id') in (None, '_id'):
                        continue
                    key = f"{csl_code(r.get('source') or '')}:{r['_id']}"
                    out.append(((r.get('name') or '').strip(), key))
                    for a in (r.get('alt_names') or '').split(';'):
                        if a.strip():
                            out.append((a.strip(), key))
        else:
            print(f'baseline: cannot read list {p} (expected a CSL CSV or an OFAC legacy CSV folder); skipped',
                  file=sys.stderr)
    return [(n, k) for n, k in out if n]


def norm(s: str) -> str:
    s = unicodedata.normalize('NFKC', s).casefold()
    return ' '.join(''.join(ch if ch.isalnum() else ' ' for ch in s).split())


class Baselines:
    def __init__(self, paths):
        t = time.time()
        pairs = load_lists(paths)
        self.by_norm: dict[str, set[str]] = collections.defaultdict(set)
        for n, k in pairs:
            self.by_norm[norm(n)].add(k)
        self.choices = [n for n in self.by_norm if n]
        self.n_pairs = len(pairs)
        self.load_s = time.time() - t

    def wratio(self, name: str):
        from rapidfuzz import fuzz, process
        q = norm(name)
        if not q:
            return 'clear', []
        hit = process.extractOne(q, self.choices, scorer=fuzz.WRatio, processor=None, score_cutoff=90)
        if not hit:
            return 'clear', []
        return 'match', sorted(self.by_norm[hit[0]])

    def exact(self, name: str):
        q = norm(name)
        if q and q in self.by_norm:
            return 'match', sorted(self.by_norm[q])
        return 'clear', []


# ----------------------------------------------------------------------------- covscan
def covscan_cmd() -> list[str]:
    exe = shutil.which('covscan') or (str(Path(sys.executable).parent / 'covscan')
                                      if (Path(sys.executable).parent / 'covscan').exists() else None)
    return [exe] if exe else [sys.executable, '-m', 'covscan']


def run_covscan(path: Path, lists, n_rows: int, timeout: float):
    """-> (results by row number {row: (verdict, [LIST:id best first])}, problem or None, seconds)"""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / 'hits.jsonl'
        cmd = covscan_cmd() + ['parties', str(path)]
        for l in lists:
            cmd += ['--list', str(l)]
        cmd += ['-o', str(out), '--fail-on', 'never', '-q']
        t = time.time()
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except FileNotFoundError as exc:
            return {}, f'cannot start covscan ({exc})', 0.0
        except subprocess.TimeoutExpired:
            return {}, f'covscan parties timed out after {timeout:.0f} s', timeout
        secs = time.time() - t
        if not out.exists() or out.stat().st_size == 0:
            msg = (p.stderr or p.stdout or '').strip().splitlines()
            tail = ' | '.join(msg[-3:]) if msg else 'no output'
            return {}, f'covscan parties failed (exit {p.returncode}): {tail}', secs
        objs = []
        with open(out, encoding='utf-8') as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        objs.append(json.loads(line))
                    except json.JSONDecodeError:
                        return {}, 'covscan parties wrote a line that is not JSON', secs
    res = {}
    rows = [o.get('row') for o in objs]
    offset = 0
    if all(isinstance(r, int) for r in rows) and rows:
        if set(rows) == set(range(0, n_rows)):
            offset = 1  # 0-based data rows
        elif set(rows) == set(range(2, n_rows + 2)):
            offset = -1  # numbered by line (header = 1)
        use_pos = not set(r + offset for r in rows) <= set(range(1, n_rows + 1))
    else:
        use_pos = True
    problem = None
    if use_pos:
        problem = 'JSONL row numbers do not match the data rows; joined by position'
    if len(objs) != n_rows:
        problem = (problem + '; ' if problem else '') + f'{len(objs)} result rows for {n_rows} data rows'
    for i, o in enumerate(objs):
        r = (i + 1) if use_pos else o['row'] + offset
        best = []
        for m in o.get('matches') or []:
            if isinstance(m, dict):
                best.append(f"{m.get('list', '')}:{m.get('entry_id', '')}")
        res[r] = (str(o.get('verdict', '')).lower(), best)
    return res, problem, secs


# ----------------------------------------------------------------------------- scoring
def entry_ok(pred: str, alts: set[str]) -> bool:
    if pred in alts:
        return True
    if ':' not in pred:
        return False
    pl, pid = pred.split(':', 1)
    for a in alts:
        al, aid = a.split(':', 1)
        if aid == pid and al.upper() in TREASURY and pl.upper() not in NOT_TREASURY:
            return True
    return False


class Tally:
    def __init__(self):
        self.pos = self.neg = self.tp = self.tp_strict = self.fp = self.fp_strict = 0
        self.right = self.errors = 0
        self.kinds = collections.defaultdict(lambda: [0, 0])  # kind -> [n, bad]
        self.misses = []

    def add(self, lab, verdict, best, fname):
        flagged = verdict in ('match', 'review')
        if verdict == 'error':
            self.errors += 1
        k = self.kinds[(lab['expected'], lab['kind'])]
        k[0] += 1
        if lab['expected'] == 'match':
            self.pos += 1
            if flagged:
                self.tp += 1
                self.tp_strict += verdict == 'match'
                if best and entry_ok(best[0], lab['alts']):
                    self.right += 1
                else:
                    self.misses.append(('wrong entry', fname, lab, verdict, best))
            else:
                k[1] += 1
                self.misses.append(('miss', fname, lab, verdict, best))
        else:
            self.neg += 1
            if flagged:
                self.fp += 1
                self.fp_strict += verdict == 'match'
                k[1] += 1
                self.misses.append(('false positive', fname, lab, verdict, best))

    def merge(self, o):
        for a in ('pos', 'neg', 'tp', 'tp_strict', 'fp', 'fp_strict', 'right', 'errors'):
            setattr(self, a, getattr(self, a) + getattr(o, a))
        for k, v in o.kinds.items():
            self.kinds[k][0] += v[0]
            self.kinds[k][1] += v[1]
        self.misses += o.misses

    def cells(self):
        f = lambda a, b: f'{a / b:.3f}' if b else '  -  '
        return [str(self.pos + self.neg), str(self.pos), str(self.neg), f(self.tp, self.pos), f(self.tp_strict, self.pos),
                f(self.fp, self.neg), f(self.fp_strict, self.neg), f(self.right, self.tp), str(self.errors)]


def table(rows, header):
    w = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: '  '.join(str(c).ljust(w[i]) if i < 2 else str(c).rjust(w[i]) for i, c in enumerate(r))
    print(line(header))
    print('  '.join('-' * x for x in w))
    for r in rows:
        print(line(r))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('setdir', type=Path)
    ap.add_argument('--lists', '--list', dest='lists', nargs='+', action='extend', type=Path,
                    help='lists to screen against (default: the three fixture snapshots)')
    ap.add_argument('--baseline', action='store_true', help='also score the two naive baselines')
    ap.add_argument('--no-covscan', action='store_true', help='score the baselines only')
    ap.add_argument('--misses', action='store_true', help='print every miss, false positive and wrong entry')
    ap.add_argument('--timeout', type=float, default=1800.0, help='seconds per covscan run')
    a = ap.parse_args(argv)
    lists = a.lists or DEFAULT_LISTS
    try:
        labels = read_labels(a.setdir)
    except OSError as exc:
        print(f'cannot read {a.setdir / "labels.csv"}: {exc}')
        return 0
    systems = ([] if a.no_covscan else ['covscan']) + (['wratio90', 'exact'] if a.baseline or a.no_covscan else [])
    base = None
    if 'wratio90' in systems:
        try:
            import rapidfuzz  # noqa: F401
        except ImportError:
            print('baselines need rapidfuzz (pip install rapidfuzz); skipped')
            systems = [s for s in systems if s == 'covscan']
    if 'wratio90' in systems:
        base = Baselines(lists)
        print(f'baselines: {base.n_pairs} list names and aliases ({len(base.choices)} distinct normalised) '
              f'read in {base.load_s:.1f} s')
    totals = {s: Tally() for s in systems}
    per_file = []
    problems = []
    if not systems:
        print('nothing to score')
        return 0
    for fname, labs in labels.items():
        path = a.setdir / fname
        try:
            header, body = read_table(path)
        except (OSError, ImportError, ValueError, StopIteration) as exc:
            problems.append(f'{fname}: cannot read ({type(exc).__name__}: {exc})')
            continue
        if len(body) != len(labs):
            problems.append(f'{fname}: {len(body)} data rows but {len(labs)} labels')
        names = row_names(header, body)
        for s in systems:
            t = Tally()
            if s == 'covscan':
                res, problem, secs = run_covscan(path, lists, len(body), a.timeout)
                if problem:
                    problems.append(f'{fname}: {problem}')
                if not res:
                    per_file.append([fname, s] + ['-'] * 9)
                    continue
                get = lambda r: res.get(r, ('missing', []))
            else:
                fn = base.wratio if s == 'wratio90' else base.exact
                get = lambda r: fn(names[r - 1] if r - 1 < len(names) else '')
            for r, lab in sorted(labs.items()):
                verdict, best = get(r)
                t.add(lab, verdict, best, fname)
            totals[s].merge(t)
            per_file.append([fname, s] + t.cells())
    hdr = ['file', 'system', 'rows', 'pos', 'neg', 'recall', 'strict rec', 'FPR', 'strict FPR', 'entry right', 'errors']
    rows = per_file + [['TOTAL', s] + totals[s].cells() for s in systems if totals[s].pos + totals[s].neg]
    print()
    table(rows, hdr)
    kinds = sorted({k for s in systems for k in totals[s].kinds}, key=lambda k: (k[0] != 'match', k[1]))
    if kinds:
        print('\nper kind (positives: missed/n, negatives: flagged/n)')
        krow = []
        for k in kinds:
            krow.append([k[1], k[0]] + [f'{totals[s].kinds[k][1]}/{totals[s].kinds[k][0]}' for s in systems])
        table(krow, ['kind', 'expected'] + systems)
    if a.misses:
        for s in systems:
            if not totals[s].misses:
                continue
            print(f'\n{s}: misses, false positives, wrong entries')
            for what, fname, lab, verdict, best in totals[s].misses:
                print(f'  {what:14} {fname}:{lab["row"]:<4} {lab["kind"]:15} verdict={verdict:7} '
                      f'best={best[0] if best else "-"}  expected={lab["entries"] or "-"}  | {lab["note"][:90]}')
    if problems:
        print('\nproblems:')
        for p in problems:
            print('  ' + p)
    return 0


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
    sys.exit(0)

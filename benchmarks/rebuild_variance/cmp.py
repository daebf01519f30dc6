import sys
def rows(path):
    out={}
    for line in open(path):
        if line.startswith('| ') and line.count('|')>=4:
            cells=[c.strip() for c in line.strip().strip('|').split('|')]
            out[cells[0]]=cells[1:]
    return out
tags=sys.argv[1:]
tabs=[rows('docs/assessor-benchmark.md')]+[rows(f'/tmp/bench_{t}/assessor-benchmark.md') for t in tags]
for k in tabs[0]:
    vals=[t.get(k,['?','?'])[1] if len(t.get(k,[]))>1 else '?' for t in tabs]
    if len(set(vals))>1 and 'latency' not in k and 'throughput' not in k:
        print(f"{k[:80]:80s}", ' | '.join(vals))
ev=[rows('docs/eval/report.md')]+[rows(f'/tmp/eval_{t}/report.md') for t in tags]
for k in ev[0]:
    vals=[(e.get(k) or ['?'])[0] for e in ev]
    if len(set(vals))>1: print(f"{k[:80]:80s}", ' | '.join(vals))
import re
def suites(path):
    out={}
    for line in open(path):
        if line.startswith('| simulated') or line.startswith('| datasets'):
            c=[x.strip() for x in line.strip().strip('|').split('|')]
            out[c[1]]=(c[4],c[-2],c[-1])
    return out
ss=[suites('docs/eval/report.md')]+[suites(f'/tmp/eval_{t}/report.md') for t in tags]
for k in ss[0]:
    vals=[s.get(k) for s in ss]
    if len(set(vals))>1: print(f"  {k:40s}", ' | '.join(f"{v[0]} m{v[1]} c{v[2]}" for v in vals))

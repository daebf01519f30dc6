"""probe.py DIR OUT.json: per-text harm/crisis decisions for XSTest safe/unsafe and ToxicChat train non-toxic."""
import csv, json, sys
from pathlib import Path
import numpy as np
from lastresort.assessors.builtin import BuiltinAssessor
from lastresort.assessors.encoder import Encoder, Usem3Weights
from lastresort.assessors.heads import Heads, load_heads
from lastresort.core.categories import Category, END_ELIGIBLE, CRISIS

def heads_from(d, art):
    meta = json.loads((d / f"{art}.json").read_text())
    with np.load(d / f"{art}.npz") as z:
        arrays = {k: z[k].astype(np.float32) for k in ("w1", "b1", "w2", "b2")}
    cats = tuple(Category(c) for c in meta["categories"])
    h = meta["heads"]
    return Heads(categories=cats, threshold=np.array([h[c.value]["threshold"] for c in cats], np.float32),
                 target=np.array([h[c.value]["policy_score"] for c in cats], np.float32), meta=meta, **arrays)

d = sys.argv[1]
if d == "shipped":
    a = BuiltinAssessor()
else:
    d = Path(d)
    with np.load(d / "builtin_encoder.npz") as z:
        layers = {k: z[k] for k in z.files}
    enc = Encoder(weights=Usem3Weights(layers, tuned=True))
    judges = {}
    for art in sys.argv[3:]:  # judges to take from DIR too
        judges[art] = heads_from(d, art)
    a = BuiltinAssessor(encoder=enc, heads=heads_from(d, "builtin_heads"), judges=judges)
S = Path("/work/shared/datasets")
sets = {}
tc = json.load(open(S / "toxicchat-human/toxic_chat_train.json"))["instances"]
sets["tc_train_ok"] = [r["instance"] for r in tc if r["annotations"]["toxicity"]["majority_human"] == "0"]
sets["tc_train_toxic"] = [r["instance"] for r in tc if r["annotations"]["toxicity"]["majority_human"] == "1"]
out = {}
for name, texts in sets.items():
    res = a.assess_batch(texts)
    rows = []
    for t, r in zip(texts, res):
        harm = {c.value: round(s, 3) for c, s in r.scores.items() if c in END_ELIGIBLE and s >= 0.5}
        crisis = {c.value: round(s, 3) for c, s in r.scores.items() if c in CRISIS and s >= 0.35}
        rows.append({"text": t, "harm": harm, "crisis": crisis})
    out[name] = rows
    n = len(rows)
    print(name, n, "harm flagged %.1f%%" % (100 * sum(bool(r["harm"]) for r in rows) / n),
          "crisis %.1f%%" % (100 * sum(bool(r["crisis"]) for r in rows) / n))
json.dump(out, open(sys.argv[2], "w"))

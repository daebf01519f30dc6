"""variant.py SEED MODE STAGE OUT: train tuned layers (MODE best|swaN; STAGE 1: no frame families, 2: anchored two-stage) and write tuned files with thresholds."""
import json, sys, hashlib, pickle
from pathlib import Path
import numpy as np, torch
from lastresort.training import build as B
from lastresort.training.finetune import train, subset, fit
from lastresort.training.data import CATEGORIES, load_rows
from lastresort.assessors.encoder import Encoder, LAYERS, TUNED
seed, mode, stage, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
import os
with np.load(os.environ.get("DATA", ".cache/finetune/data.npz"), allow_pickle=False) as z:
    data = {k: z[k] for k in z.files}
texts_file = Path(os.environ.get("TEXTS", "/tmp/rows_texts.json"))
if not texts_file.exists():
    if os.environ.get("KEEP18"):
        import lastresort.training.data as D
        D.HELD_OUT_WRITTEN = D.HELD_OUT_SEXUAL_MINORS
    rows, _, _ = B.decontaminated(load_rows(Path("/work/shared/datasets"), 20261125, B.TUNED_FAMILIES), Path("/work/shared/datasets"), Encoder(tuned=False), Path(".cache/embeddings"))
    texts_file.write_text(json.dumps([r.text for r in rows]))
texts = json.loads(texts_file.read_text())
assert len(texts) == len(data["labels"])
kw = dict(seed=seed, epochs=20, lr=B.LR, head_lr=B.HEAD_LR, l2sp=B.L2SP, tokens=8192, top=True, device=torch.device("cpu"), log=lambda m: None)
teachers = 1
if mode.startswith("swa"):
    kw["average_from"] = int(mode[3:])
if mode.startswith("ens"):
    teachers = int(mode[3:])
if stage == 1:
    keep = np.nonzero(data["first_stage"])[0]
    d = subset(data, keep)
    tuned, summary = fit(d, teachers=teachers, **kw)
else:
    keep = np.arange(len(texts))
    tuned, summary = fit(data, teachers=teachers, **kw)
print(summary)
layers = {k: tuned[k].astype(np.float16) for k in LAYERS if k in tuned}
params = {"w1": tuned["h_w1"].astype(np.float16), "b1": tuned["h_b1"].astype(np.float32),
          "w2": tuned["h_w2"].astype(np.float32), "b2": tuned["h_b2"].astype(np.float32)}
is_val = data["is_val"][keep]
y = data["labels"][keep].astype(np.float32)
vt = [texts[i] for i, v in zip(keep, is_val) if v]
z_val, _ = B.runtime_embeddings(layers, vt)
pv = B.heads_probabilities(params, z_val)
heads = {}
for j, c in enumerate(CATEGORIES):
    t, rule, fig = B.choose_threshold(c, y[is_val][:, j], pv[:, j])
    heads[c.value] = {"threshold": round(t, 4), "policy_score": B.policy_score(c), "chosen_by": rule, **fig}
out.mkdir(parents=True, exist_ok=True)
np.savez_compressed(out / f"{TUNED}.npz", **layers)
np.savez_compressed(out / "builtin_heads.npz", **params)
(out / "builtin_heads.json").write_text(json.dumps({"categories": [c.value for c in CATEGORIES], "heads": heads, "training": summary}, indent=1))
print({k: v["threshold"] for k, v in heads.items()})
print("val_ap", {k: v.get("val_ap") for k, v in heads.items()})

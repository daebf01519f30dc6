import numpy as np, torch
from lastresort.training.finetune import train, subset
from lastresort.training.build import LR, HEAD_LR, L2SP
with np.load(".cache/finetune/data.npz", allow_pickle=False) as z:
    data = {k: z[k] for k in z.files}
first = np.nonzero(data["first_stage"])[0]
w, s = train(subset(data, first), seed=20261125, epochs=20, lr=LR, head_lr=HEAD_LR, l2sp=L2SP, tokens=8192, top=True, device=torch.device("cpu"), log=lambda m: None)
hyper = {"seed": 20261125, "epochs": 20, "lr": LR, "head_lr": HEAD_LR, "l2sp": L2SP, "tokens": 8192, "top": True, "device": "cpu", **s}
np.savez("/tmp/stage1.npz", **w, hyper=np.array(repr(hyper)))
print(s)

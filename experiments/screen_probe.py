import json, numpy as np, sys, time
from pathlib import Path
from lastresort.training import screen as S
from lastresort.training.build import OUT, _validation, decontaminated
from lastresort.training.data import load_rows
from lastresort.assessors.encoder import Encoder
from lastresort.assessors.normalize import clip, normalize
from lastresort.core.categories import Category
data=Path('/work/shared/datasets')
bm=json.loads((OUT/'builtin_heads.json').read_text())
rows,dropped,_=decontaminated(load_rows(data,bm['seed']),data,Encoder(tuned=False),Path('.cache/embeddings'))
is_val=np.array([_validation(r,bm['val_fraction']) for r in rows])
texts=[r.text for r in rows]
scores=S.teacher_scores(texts,Path('.cache/screen'))
cats=tuple(Category(c) for c in bm['categories'])
labels=np.array([r.labels for r in rows],dtype=np.int8)
must=S.targets(scores,np.zeros_like(labels),cats,1.0)
src=np.array([r.source for r in rows])
bases=[normalize(clip(t)) for t in texts]
def run(near=0.5, feats=S.features, epochs=None, lr=None):
    if epochs: S.EPOCHS=epochs
    if lr: S.LR=lr
    y=S.targets(scores,labels,cats,near)
    idx=[feats(b) for b in bases]
    w,b=S.train([i for i,v in zip(idx,is_val) if not v], y[~is_val], 1)
    lv=S.logits_of([i for i,v in zip(idx,is_val) if v],w,b)
    mv=must[is_val]; q=~mv.any(1); sv=src[is_val]
    for rc in (1.0,0.998,0.995,0.99):
        gates=[S.choose_gate(lv[:,k],mv[:,k],rc) for k in range(2)]
        p=(lv>=np.array(gates)).any(1)
        print(f" recall {rc}: gates {np.round(gates,2)} pass quiet {p[q].mean():.3f} ordinary {p[q&(sv=='ordinary')].mean():.3f} templates {p[q&(sv=='templates')].mean():.3f}  missed crisis {(~p & mv[:,0]).sum()} harm {(~p&mv[:,1]).sum()}")
    return w,b,lv
exec(open('/tmp/tools/scr.py').read())
import torch
enc=Encoder(tuned=False); W=enc.weights
ids=enc.token_ids(texts)
def bag(seq):
    e=W.embed_rows(np.asarray(seq[1:-1] or seq, dtype=np.int64))
    return np.concatenate([e.mean(0), e.max(0)])
t0=time.time(); X=np.stack([bag(s) for s in ids]).astype(np.float32); print('bag', X.shape, time.time()-t0)
mu, sd = X[~is_val].mean(0), X[~is_val].std(0)+1e-6
Xn=(X-mu)/sd
def mlp_run(near=0.5, hidden=128, epochs=30, seed=1, wd=1e-4):
    y=S.targets(scores,labels,cats,near).astype(np.float32)
    torch.manual_seed(seed)
    m=torch.nn.Sequential(torch.nn.Linear(X.shape[1],hidden),torch.nn.ReLU(),torch.nn.Linear(hidden,2))
    opt=torch.optim.AdamW(m.parameters(),lr=1e-3,weight_decay=wd)
    xt=torch.tensor(Xn[~is_val]); yt=torch.tensor(y[~is_val])
    pos=yt.mean(0); lf=torch.nn.BCEWithLogitsLoss(pos_weight=(1-pos)/pos)
    rng=np.random.default_rng(seed)
    for ep in range(epochs):
        perm=rng.permutation(len(xt))
        for s in range(0,len(xt),256):
            b=perm[s:s+256]; loss=lf(m(xt[b]),yt[b]); opt.zero_grad(); loss.backward(); opt.step()
    with torch.no_grad(): lv=m(torch.tensor(Xn[is_val])).numpy()
    report(lv)
    return m,lv
def report(lv):
    mv=must[is_val]; q=~mv.any(1); sv=src[is_val]
    for rc in (1.0,0.998,0.995,0.99):
        gates=[S.choose_gate(lv[:,k],mv[:,k],rc) for k in range(2)]
        p=(lv>=np.array(gates)).any(1)
        print(f" recall {rc}: pass quiet {p[q].mean():.3f} ordinary {p[q&(sv=='ordinary')].mean():.3f} templates {p[q&(sv=='templates')].mean():.3f} sensitive {p[q&(sv=='sensitive-topics')].mean():.3f} missed crisis {(~p & mv[:,0]).sum()} harm {(~p&mv[:,1]).sum()}")
from lastresort.core.categories import CRISIS
gc=np.array([c in CRISIS for c in cats])
tflag=np.stack([(scores>=np.array([S.flag_at(c) for c in cats]))[:,gc].any(1),(scores>=np.array([S.flag_at(c) for c in cats]))[:,~gc].any(1)],1)
gold=np.stack([(labels==1)[:,gc].any(1),(labels==1)[:,~gc].any(1)],1)
must_gold=tflag&gold
def report2(lv):
    mv=must_gold[is_val]; q=~tflag[is_val].any(1); sv=src[is_val]
    for rc in (1.0,0.998,0.995,0.99):
        gates=[S.choose_gate(lv[:,k],mv[:,k],rc) for k in range(2)]
        p=(lv>=np.array(gates)).any(1)
        print(f" gold recall {rc}: pass quiet {p[q].mean():.3f} ordinary {p[q&(sv=='ordinary')].mean():.3f} templates {p[q&(sv=='templates')].mean():.3f}  missed gold crisis {(~p & mv[:,0]).sum()}/{mv[:,0].sum()} harm {(~p&mv[:,1]).sum()}/{mv[:,1].sum()}; teacher flags dropped crisis {(~p&tflag[is_val][:,0]).sum()}/{tflag[is_val][:,0].sum()} harm {(~p&tflag[is_val][:,1]).sum()}/{tflag[is_val][:,1].sum()}")
sys.path.insert(0,'benchmarks')
from performance import MESSAGES
tc=json.loads((data/'toxicchat-human/toxic_chat_test.json').read_text())['instances']
tcb=[r['instance'] for r in tc if not r.get('toxicity')][:1500]
print(len(tcb), tc[0].keys())
def probe(lv_val, fn, mv, rc):
    gates=np.array([S.choose_gate(lv_val[:,k],mv[:,k],rc) for k in range(2)])
    for name,tx in (('MESSAGES',MESSAGES),('toxicchat benign',tcb)):
        L=np.stack([fn(t) for t in tx]); print(f"   {name}: pass {(L>=gates).any(1).mean():.3f}")
exec(open('/tmp/tools/scr2.py').read())
m,lv=mlp_run()
def fm(t):
    with torch.no_grad(): return m(torch.tensor(((bag(enc.token_ids([t])[0])-mu)/sd).astype(np.float32))[None])[0].numpy()

w,b,lv2=run()
def fh(t):
    i=S.features(normalize(clip(t))); return b+w[i].sum(0)/np.sqrt(max(len(i),1))

for rc in (0.998,0.995):
    print('mlp teacher',rc); probe(lv,fm,must[is_val],rc)
    print('mlp gold',rc); probe(lv,fm,must_gold[is_val],rc)
    print('hash teacher',rc); probe(lv2,fh,must[is_val],rc)
    print('hash gold',rc); probe(lv2,fh,must_gold[is_val],rc)

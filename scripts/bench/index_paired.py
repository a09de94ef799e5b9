"""Paired, interleaved single-thread check of one saved EmbedKit HNSW index against hnswlib on the contextual set
(CPU time, 1,000 queries, ef 32, median of 5; hnswlib best of 3 per round). Run from the repository root after
scripts/bench/index_run.sh contextual:  .venv-peers/bin/python scripts/bench/index_paired.py hnsw_int8.ekx"""
import hnswlib, numpy as np, time, subprocess, json, os, sys
W=os.path.expanduser('~/.cache/embedkit/bench/work_ctx')
q=np.load(W+'/queries.npy') if os.path.exists(W+'/queries.npy') else np.load(os.path.expanduser('~/.cache/embedkit/bench/ctx_queries.npy'))
qpath = W+'/queries.npy' if os.path.exists(W+'/queries.npy') else os.path.expanduser('~/.cache/embedkit/bench/ctx_queries.npy')
idx=hnswlib.Index(space='ip', dim=384); idx.load_index(W+'/hnswlib.bin'); 
ek=sys.argv[1]
for ef in (32,):
  idx.set_ef(ef)
  h=[];e=[]
  for r in range(5):
    best=1e9
    for _ in range(3):
      t=time.process_time(); idx.knn_query(q,k=10,num_threads=1); best=min(best,time.process_time()-t)
    h.append(best)
    out=subprocess.run(['.build/release/embedkit','index','search','--index',W+'/'+ek,'--queries',qpath,'-k','10','--ef',str(ef),'--threads','1','--output','/tmp/s2/o.npy','--json'],capture_output=True,text=True).stdout
    e.append(json.loads(out)['cpuSeconds'])
  print(ek, 'ef',ef,'hnswlib',sorted(h)[2],'embedkit',sorted(e)[2],'ratio',sorted(h)[2]/sorted(e)[2])

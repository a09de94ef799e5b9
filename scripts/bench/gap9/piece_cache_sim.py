"""Simulates the piece cache (BPEPieceCache: 3-16-byte pieces, BPEPieceKey.hash, top BITS bits = slot; ids > 3
in 4096 many-id records owned by slot) over the real file's pre-tokenized pieces, cold pass then warm pass, and
prints (misses, many-id record misses) per pass for the direct-mapped cache and a 2-way FIFO variant (first way =
last inserted). Reproduces the counted misses of the ablation build (EK_GAP9=128) to within ~3 %.

    .venv-peers/bin/python scripts/bench/gap9/piece_cache_sim.py o200k_base 16
"""
import sys; sys.path[:0]=['scripts/python']
import peers, regex, collections
M=(1<<64)-1
def h(p):
    n=len(p); b=p.ljust(16,b'\0'); k0=int.from_bytes(b[:8],'little'); k1=int.from_bytes(b[8:],'little')
    x=((((k0+n)&M)*0x9E3779B97F4A7C15)&M) ^ ((k1*0xBF58476D1CE4E5B9)&M)
    return ((x ^ (x>>31))*0x94D049BB133111EB)&M
text=open('/root/.cache/embedkit/corpus/bench-real.txt',encoding='utf-8').read()
enc=peers.tiktoken_encoding(sys.argv[1])
ps=[m.encode() for m in regex.findall(enc._pat_str,text)]
ps=[p for p in ps if 3<=len(p)<=16]
ntok={p:len(enc._core_bpe.encode_single_piece(p)) for p in set(ps)}
BITS=int(sys.argv[2]); slots={p:h(p)>>(64-BITS) for p in set(ps)}
def run(ways):
    table={}; owner={}; res=[]
    for pas in range(2):
        miss=0; manymiss=0
        for p in ps:
            s=slots[p]; st=s&~1 if ways==2 else s
            hit=None
            for w in ([st,st|1] if ways==2 else [st]):
                if table.get(w)==p:
                    if ntok[p]>3 and owner.get(w&4095)!=w: hit=False; manymiss+=1; break
                    hit=True; break
            if hit: continue
            miss+=1
            if ways==2:
                old=table.get(st)
                if old is not None:
                    if ntok[old]>3:
                        if owner.get(st&4095)==st: owner[(st|1)&4095]=st|1; table[st|1]=old
                    else: table[st|1]=old
            table[st]=p
            if ntok[p]>3: owner[st&4095]=st
        res.append((miss,manymiss))
    return res
print(sys.argv[1], len(ps), 'direct', run(1), '2-way', run(2))

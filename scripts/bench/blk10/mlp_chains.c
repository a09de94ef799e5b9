// Memory-level parallelism of this host: K independent pointer chases over a random cyclic permutation of
// 64-byte nodes in a table of MB MiB, ns per load. If K chains cost ~1/K of one chain, misses that are independent
// can overlap. Build and run: cc -O2 -o /tmp/mlp scripts/bench/blk10/mlp_chains.c && /tmp/mlp 16 && /tmp/mlp 64
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <time.h>
#include <sys/mman.h>

static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
int main(int argc,char**argv){
  size_t mb=atoi(argv[1]); size_t n=mb*(1<<20)/64; // one 64-byte line per node
  uint64_t *t; posix_memalign((void**)&t,2<<20,n*64); madvise(t,n*64,MADV_HUGEPAGE);
  uint32_t *perm=malloc(n*4); for(size_t i=0;i<n;i++)perm[i]=i;
  srand(1); for(size_t i=n-1;i>0;i--){size_t j=((size_t)rand()<<16^rand())%(i+1);uint32_t x=perm[i];perm[i]=perm[j];perm[j]=x;}
  for(size_t i=0;i<n;i++) t[perm[i]*8]=perm[(i+1)%n];
  int ks[]={1,2,4,8,16};
  for(int q=0;q<5;q++){int K=ks[q]; uint64_t p[16]; for(int k=0;k<K;k++)p[k]=perm[(n/K)*k];
    long steps=2000000/K; double t0=now();
    for(long s=0;s<steps;s++) for(int k=0;k<K;k++) p[k]=t[p[k]*8];
    double dt=now()-t0; uint64_t sum=0; for(int k=0;k<K;k++)sum+=p[k];
    printf("%zu MiB K=%2d: %.1f ns per load, %.1f ns per round (%lu)\n",mb,K,dt/(steps*K),dt/steps,(unsigned long)(sum&1));}
}

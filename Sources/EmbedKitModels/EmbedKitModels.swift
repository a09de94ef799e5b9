// Local sentence-embedding models on BLAS (see issue «Local embeddings»).

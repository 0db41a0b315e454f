"""Retrieval over documents: chunk them, embed the chunks with a model trained on them and
registered in MLflow, index the vectors, and find the chunks nearest to a question.

No model is downloaded: the embedder is a small TF-IDF + SVD model fitted on the corpus itself.
"""

"""The embedding model: TF-IDF over word n-grams, reduced by SVD, normalised to unit length.

Fitted on the chunks themselves, it needs nothing from the internet, and its vectors' dot
product is their cosine similarity. It takes a DataFrame with a ``text`` column, as MLflow's
pyfunc flavour passes one, and returns one vector per row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from sklearn.pipeline import Pipeline

TEXT_COLUMN = "text"


def fit_embedder(texts: pd.Series, dimensions: int, random_state: int = 0) -> Pipeline:
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import Normalizer

    if len(texts) < 2:
        raise ValueError(f"an embedder needs at least 2 chunks to learn from, got {len(texts)}")
    vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1)
    vocabulary = vectorizer.fit(texts).vocabulary_
    # SVD keeps fewer components than it has features and rows.
    components = max(1, min(dimensions, len(vocabulary) - 1, len(texts) - 1))
    pipeline = Pipeline(
        [
            ("tfidf", ColumnTransformer([("tfidf", vectorizer, TEXT_COLUMN)])),
            ("svd", TruncatedSVD(n_components=components, random_state=random_state)),
            ("normalise", Normalizer()),
        ]
    )
    return pipeline.fit(texts.to_frame(TEXT_COLUMN))


def nearest(vectors: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``vectors`` nearest each query (unit vectors: cosine), best first."""
    import numpy as np

    scores = queries @ vectors.T
    k = min(k, vectors.shape[0])
    best = np.argsort(-scores, axis=1)[:, :k]
    return best, np.take_along_axis(scores, best, axis=1)


def embedding_model(pipeline: Pipeline):
    """The fitted pipeline as an MLflow pyfunc model whose ``predict`` returns the vectors.

    MLflow's scikit-learn flavour only serves ``predict``-like methods, and an embedder
    transforms; this wrapper lives in Airloom's package so every loader can import it.
    """
    from airloom.retrieval.pyfunc import EmbeddingModel

    return EmbeddingModel(pipeline)

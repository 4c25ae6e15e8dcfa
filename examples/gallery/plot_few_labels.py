"""
Few labels: a pretrained encoder and a small classifier
========================================================

Ten labelled series and many unlabeled ones. ``SemiSupervisedClassifier``
learns the embedding from every series (labels unused) and fits the
classifier on the labelled ones only; rows labelled ``unlabeled_label`` are
unlabeled (``-1`` by default, here the string ``"unlabeled"``).
"""

# %%
import os

import numpy as np
from sklearn.linear_model import LogisticRegression

from sslts import SemiSupervisedClassifier, SimCLRTransformer, TimeSeriesScaler
from sslts.datasets import load_ucr_uea

max_steps = 20 if os.environ.get("SSLTS_DOCS_QUICK") == "1" else 200

X_train, y_train = load_ucr_uea("GunPoint", "train")
X_test, y_test = load_ucr_uea("GunPoint", "test")
rng = np.random.RandomState(0)
labelled = np.concatenate([rng.choice(np.flatnonzero(y_train == c), 5, replace=False)
                           for c in np.unique(y_train)])
y_partial = np.where(np.isin(np.arange(len(y_train)), labelled), y_train, "unlabeled")
print(f"{len(labelled)} labelled series out of {len(y_train)}")

# %%
# The same linear classifier on the raw (scaled) series, and on embeddings
# learned from all the training series.
scaler = TimeSeriesScaler()
raw = LogisticRegression(max_iter=1000).fit(
    scaler.fit_transform(X_train[labelled])[:, 0], y_train[labelled])
print(f"raw series:         {raw.score(scaler.transform(X_test)[:, 0], y_test):.3f}")

model = SemiSupervisedClassifier(SimCLRTransformer(max_steps=max_steps, random_state=0),
                                 LogisticRegression(max_iter=1000),
                                 unlabeled_label="unlabeled")
model.fit(X_train, y_partial)
print(f"SimCLR embeddings:  {model.score(X_test, y_test):.3f}")

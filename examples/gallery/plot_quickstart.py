"""
Embeddings of GunPoint in a minute
==================================

Fit SimCLR on the unlabeled training series, classify the test series with a
1-nearest-neighbour classifier on the embeddings, and look at the course of
training and at the embeddings.
"""

# %%
# Load the data and fit a pipeline. ``SimCLRTransformer`` ignores the labels;
# the classifier uses them. GunPoint ships with sktime: no download.
import os

from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from sslts import SimCLRTransformer
from sslts.datasets import load_ucr_uea
from sslts.plotting import plot_embedding, plot_history

max_steps = 20 if os.environ.get("SSLTS_DOCS_QUICK") == "1" else 200

X_train, y_train = load_ucr_uea("GunPoint", "train")
X_test, y_test = load_ucr_uea("GunPoint", "test")
print(X_train.shape, X_test.shape)

model = make_pipeline(SimCLRTransformer(max_steps=max_steps, random_state=0),
                      KNeighborsClassifier(n_neighbors=1))
model.fit(X_train, y_train)
print(f"1-NN accuracy on the embeddings: {model.score(X_test, y_test):.3f}")

# %%
# The loss falls, and the collapse indicator stays well above 0: the
# embeddings did not collapse to a point (0 would mean collapse; the dashed
# line is the value of perfectly spread embeddings).
ssl = model[0]
fig = plot_history(ssl)

# %%
# A t-SNE map of the test embeddings, coloured by the labels the encoder
# never saw.
fig = plot_embedding(ssl.transform(X_test), y_test, random_state=0)

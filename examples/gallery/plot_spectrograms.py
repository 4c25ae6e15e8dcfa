"""
Sensor recordings through spectrograms
======================================

Accelerometer and gyroscope windows (BasicMotions, 6 channels) turned into
log-magnitude spectrograms with ``Spectrogram``, then embedded by SimCLR with
a 2-D encoder, which ``"resnet"`` becomes for 4-D input.
"""

# %%
import os

from sklearn.pipeline import make_pipeline

from sslts import SimCLRTransformer, Spectrogram
from sslts.datasets import load_ucr_uea
from sslts.plotting import plot_embedding

max_steps = 20 if os.environ.get("SSLTS_DOCS_QUICK") == "1" else 200

X_train, y_train = load_ucr_uea("BasicMotions", "train")
X_test, y_test = load_ucr_uea("BasicMotions", "test")
spectrogram = Spectrogram(n_fft=32, hop_length=8)
print("series", X_train.shape, "-> spectrograms", spectrogram.fit_transform(X_train).shape)

model = make_pipeline(spectrogram, SimCLRTransformer(max_steps=max_steps, random_state=0))
model.fit(X_train)
fig = plot_embedding(model.transform(X_test), y_test, random_state=0)

"""
What self-supervised training adds
==================================

A convolutional encoder with random weights already gives useful features:
random convolutions are the idea behind ROCKET. The fair question for a
self-supervised method is therefore how much better its trained encoder is
than the same encoder untrained. This example measures it on ArrowHead with
the SVM probe of the TS2Vec protocol.
"""

# %%
# The methods train with their defaults (100 optimizer steps here), also in
# the site's quick build: shorter training would not answer the question.
import matplotlib.pyplot as plt

from sslts import SimCLRTransformer, VICRegTransformer
from sslts.datasets import load_ucr_uea
from sslts.evaluation import evaluate_transformer, random_encoder_baseline

splits = (*load_ucr_uea("ArrowHead", "train"), *load_ucr_uea("ArrowHead", "test"))
accuracy = {"random encoder": random_encoder_baseline(*splits, random_state=0)["accuracy"]}
for name, cls in [("SimCLR", SimCLRTransformer), ("VICReg", VICRegTransformer)]:
    record = evaluate_transformer(cls(random_state=0), *splits)
    accuracy[name] = record["accuracy"]["svm"]
for name, value in accuracy.items():
    print(f"{name:15s} {value:.3f}")

# %%
# The gap between the random encoder and a method is what training added.
# On ArrowHead it is several points; on most of the other bundled datasets
# (see the benchmark page) it is close to zero, which is worth knowing
# before spending the compute.
fig, ax = plt.subplots(figsize=(5, 3), layout="constrained")
bars = ax.bar(list(accuracy), list(accuracy.values()), color=["grey", "C0", "C1"])
ax.bar_label(bars, fmt="%.3f")
ax.set(ylim=(0.5, 1.0), ylabel="test accuracy (SVM probe)", title="ArrowHead")

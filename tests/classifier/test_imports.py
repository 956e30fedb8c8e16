"""``classifier`` is a library: importing it never drags in the web stack (nor scikit-learn)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_import_in_a_fresh_interpreter() -> None:
    code = (
        "import json, sys, classifier\n"
        "from classifier import Model, Scores, ModelLoadError, load, default_model_path\n"
        "from classifier import normalize\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'sqlalchemy', 'marshmallow', 'comments', 'sklearn'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert json.loads(out.stdout) == []


def test_train_and_evaluate_are_exported() -> None:
    import classifier

    assert callable(classifier.train) and callable(classifier.evaluate)
    assert set(classifier.__all__) >= {
        "Model",
        "Scores",
        "ModelLoadError",
        "load",
        "train",
        "evaluate",
        "normalize",
        "default_model_path",
    }

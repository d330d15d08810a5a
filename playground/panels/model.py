"""The Model panel: model, loss, optimizer and hyperparameters, batch size and seed.

Every change becomes a new :class:`~playground.config.Config` pushed to the document's undo stack.
Optimizer hyperparameters apply at the next step; a new model, loss or seed resets the parameters
(the trainer decides, see ``Config.resets_parameters``).
"""

from __future__ import annotations

import itertools
import math

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground.config import MAX_CLASSES, MAX_DEGREE, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS
from playground.models import ACTIVATIONS, FEATURES, LOSSES, MODELS, OPTIMIZERS, REGULARIZATIONS, build_model

#: Settings that change which parameters the model has.
_SHAPE_FIELDS = ("model", *sorted({field for kind in MODELS.values() for field in kind.fields}))

LR_MIN = 1e-5
LR_MAX = 10.0
_LR_STEPS = 600  # slider positions: 100 per decade
COMBO_CHARACTERS = 16


def parameter_count(config) -> int:
    """How many numbers the model of ``config`` learns."""
    return sum(p.numel() for p in build_model(config).parameters())


def describe(config) -> str:
    """The model in one line: its formula or architecture, and its parameter count."""
    count = parameter_count(config)
    return f"{MODELS[config.model].formula(config)}   ({count} parameter{'s' if count != 1 else ''})"


def lr_to_slider(lr: float) -> int:
    """Slider position of a learning rate on the log scale 1e-5 … 10."""
    lr = min(max(lr, LR_MIN), LR_MAX)
    fraction = (math.log10(lr) - math.log10(LR_MIN)) / (math.log10(LR_MAX) - math.log10(LR_MIN))
    return round(fraction * _LR_STEPS)


def slider_to_lr(position: int) -> float:
    """Learning rate at a slider position, rounded to three significant digits."""
    exponent = math.log10(LR_MIN) + position / _LR_STEPS * (math.log10(LR_MAX) - math.log10(LR_MIN))
    return float(f"{10**exponent:.3g}")


def format_lr(lr: float) -> str:
    return f"{lr:g}"


class LearningRateControl(QWidget):
    """A log-scaled slider from 1e-5 to 10 with a text box for exact values.

    Signals
    -------
    valueEdited(float, bool)
        The user chose a learning rate; the flag is True while the slider is being dragged.
    rejected(str)
        The typed text was not a learning rate in range.
    """

    valueEdited = Signal(float, bool)
    rejected = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, _LR_STEPS)
        self.slider.setPageStep(100)
        self.slider.setSingleStep(10)
        self.slider.setToolTip("Learning rate, on a log scale from 0.00001 to 10")
        self.slider.setStatusTip("Drag to change the learning rate; it applies at the next step, without a reset.")
        self.edit = QLineEdit()
        # Any number may be typed: one out of range gets a message (a range in the validator would
        # swallow the Enter key without a word).
        validator = QDoubleValidator(self.edit)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.edit.setValidator(validator)
        self.edit.setMaximumWidth(80)
        self.edit.setToolTip("Learning rate (type a value from 1e-05 to 10 and press Enter)")
        self.edit.setStatusTip("Type an exact learning rate and press Enter.")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.edit)
        self._value = 0.001
        self.slider.valueChanged.connect(self._slider_moved)
        self.edit.editingFinished.connect(self._text_entered)
        # Enter hands the keyboard back to the window, so that Space plays again.
        self.edit.returnPressed.connect(self.edit.clearFocus)
        self.set_value(self._value)

    def value(self) -> float:
        return self._value

    def set_value(self, lr: float) -> None:
        """Show ``lr`` without emitting ``valueEdited``."""
        self._value = float(lr)
        with QSignalBlocker(self.slider):
            self.slider.setValue(lr_to_slider(lr))
        self.edit.setText(format_lr(lr))

    def _slider_moved(self, position: int) -> None:
        lr = slider_to_lr(position)
        self._value = lr
        self.edit.setText(format_lr(lr))
        self.valueEdited.emit(lr, self.slider.isSliderDown())

    def _text_entered(self) -> None:
        text = self.edit.text().strip()
        try:
            lr = float(text)
        except ValueError:
            self.rejected.emit(f"“{text}” is not a learning rate.")
            self.edit.setText(format_lr(self._value))
            return
        if not (math.isfinite(lr) and LR_MIN <= lr <= LR_MAX):
            self.rejected.emit(
                f"The learning rate must be between {LR_MIN:g} and {LR_MAX:g}; {text} is out of range, "
                f"so it stays at {format_lr(self._value)}."
            )
            self.edit.setText(format_lr(self._value))
            return
        if lr == self._value:
            return
        self._value = lr
        with QSignalBlocker(self.slider):
            self.slider.setValue(lr_to_slider(lr))
        self.valueEdited.emit(lr, False)


class ModelPanel(QWidget):
    """Chooses the model, the loss, the optimizer and their settings.

    Parameters
    ----------
    document : Document

    Signals
    -------
    message(str)
        A sentence for the status bar (an invalid entry).
    """

    message = Signal(str)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self._document = document
        self._slider_drags = itertools.count(1)
        self._slider_drag = None

        self.model_combo = QComboBox()
        for key, kind in MODELS.items():
            self.model_combo.addItem(kind.title, key)
        self.model_combo.setToolTip("The model that is fitted to the points")
        self.model_combo.setStatusTip("Changing the model starts from fresh parameters (undoable).")
        self.formula = QLabel()
        self.formula.setToolTip("What the model computes from x")
        self.formula.setStyleSheet("color: #444;")

        self.degree_spin = QSpinBox()
        self.degree_spin.setRange(1, MAX_DEGREE)
        self.degree_spin.setToolTip("Degree of the polynomial (1–9)")
        self.degree_spin.setStatusTip("Degree of the polynomial; a change starts from fresh parameters.")

        self.layers_spin = QSpinBox()
        self.layers_spin.setRange(1, MAX_HIDDEN_LAYERS)
        self.layers_spin.setToolTip("Number of hidden layers (1–3)")
        self.layers_spin.setStatusTip("Number of hidden layers of the network.")
        self.units_spins = []
        units_row = QHBoxLayout()
        units_row.setContentsMargins(0, 0, 0, 0)
        units_row.addWidget(self.layers_spin)
        units_row.addWidget(QLabel("×"))
        for i in range(MAX_HIDDEN_LAYERS):
            spin = QSpinBox()
            spin.setRange(1, MAX_HIDDEN_UNITS)
            spin.setValue(16)
            spin.setToolTip(f"Units in hidden layer {i + 1} (1–64)")
            spin.setStatusTip(f"Number of units in hidden layer {i + 1}.")
            self.units_spins.append(spin)
            units_row.addWidget(spin)
        units_row.addStretch(1)
        self.hidden_widget = QWidget()
        self.hidden_widget.setLayout(units_row)

        self.activation_combo = QComboBox()
        for key, title in ACTIVATIONS.items():
            self.activation_combo.addItem(title, key)
        self.activation_combo.setToolTip("Activation function of the hidden layers")
        self.activation_combo.setStatusTip("Activation function between the network's layers.")

        self.bias_check = QCheckBox("bias b")
        self.bias_check.setToolTip("Whether the model has the bias b (off: ŷ = w·x)")
        self.bias_check.setStatusTip("Turn the bias parameter b on or off.")

        self.loss_combo = QComboBox()
        for key, loss in LOSSES.items():
            self.loss_combo.addItem(loss.title, key)
        self.loss_combo.setToolTip("How the distance between ŷ and y is measured")
        self.loss_combo.setStatusTip(
            "The loss function; binary cross-entropy needs the sigmoid neuron and 0/1 targets."
        )

        self.optimizer_combo = QComboBox()
        for key, optimizer in OPTIMIZERS.items():
            self.optimizer_combo.addItem(optimizer.title, key)
        self.optimizer_combo.setToolTip("How the gradient turns into a parameter update")
        self.optimizer_combo.setStatusTip("The optimizer; switching keeps the parameters and clears its state.")

        self.lr_control = LearningRateControl()
        self.lr_control.valueEdited.connect(self._lr_edited)
        self.lr_control.rejected.connect(self.message)
        self.lr_control.slider.sliderPressed.connect(self._slider_pressed)
        self.lr_control.slider.sliderReleased.connect(self._slider_released)

        self.momentum_spin = self._fraction_spin(
            "Momentum (0 to 0.999)", "Momentum: how much of the last update is kept."
        )
        self.beta1_spin = self._fraction_spin("Adam's β₁ (0 to 0.9999)", "Adam's β₁: decay of the gradient average.", 4)
        self.beta2_spin = self._fraction_spin(
            "Adam's β₂ (0 to 0.9999)", "Adam's β₂: decay of the squared-gradient average.", 4
        )

        self.full_batch_check = QCheckBox("full batch")
        self.full_batch_check.setToolTip("Train on all points at once (one optimizer step per epoch)")
        self.full_batch_check.setStatusTip("Untick to train on shuffled minibatches.")
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 1_000_000)
        self.batch_spin.setToolTip("Minibatch size (points per optimizer step)")
        self.batch_spin.setStatusTip("Points per optimizer step when not training on the full batch.")
        batch_row = QHBoxLayout()
        batch_row.setContentsMargins(0, 0, 0, 0)
        batch_row.addWidget(self.full_batch_check)
        batch_row.addWidget(self.batch_spin, 1)
        batch_widget = QWidget()
        batch_widget.setLayout(batch_row)

        # Classification in the plane: input features, classes, regularization.
        self.feature_checks = {}
        features_grid = QGridLayout()
        features_grid.setContentsMargins(0, 0, 0, 0)
        features_grid.setHorizontalSpacing(6)
        features_grid.setVerticalSpacing(0)
        for i, (key, label) in enumerate(FEATURES.items()):
            check = QCheckBox(label)
            check.setToolTip(f"Feed {label} to the model (TensorFlow Playground's input features)")
            check.setStatusTip("The features the classifier sees; a change starts from fresh parameters.")
            check.toggled.connect(lambda _on: self._features_changed())
            self.feature_checks[key] = check
            features_grid.addWidget(check, i // 4, i % 4)
        self.features_widget = QWidget()
        self.features_widget.setLayout(features_grid)
        self.classes_spin = QSpinBox()
        self.classes_spin.setRange(2, MAX_CLASSES)
        self.classes_spin.setToolTip("How many classes the model tells apart (2–4; more than 2 needs cross-entropy)")
        self.classes_spin.setStatusTip("Number of classes; a change starts from fresh parameters.")
        self.regularization_combo = QComboBox()
        for key, title in REGULARIZATIONS.items():
            self.regularization_combo.addItem(title, key)
        self.regularization_combo.setToolTip("A penalty on the weights added to the loss (biases are not penalised)")
        self.regularization_combo.setStatusTip(
            "L1 pushes weights to zero, L2 keeps them small; applies at the next step."
        )
        for combo in (
            self.model_combo,
            self.activation_combo,
            self.loss_combo,
            self.optimizer_combo,
        ):
            # As narrow as a short title needs (longer ones are elided): the dock may be narrow.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(COMBO_CHARACTERS)
        self.regularization_spin = QDoubleSpinBox()
        self.regularization_spin.setRange(0.0, 10.0)
        self.regularization_spin.setDecimals(4)
        self.regularization_spin.setSingleStep(0.001)
        self.regularization_spin.setKeyboardTracking(False)
        self.regularization_spin.setToolTip("The penalty's rate")
        regularization_row = QHBoxLayout()
        regularization_row.setContentsMargins(0, 0, 0, 0)
        regularization_row.addWidget(self.regularization_combo, 1)
        regularization_row.addWidget(QLabel("rate"))
        regularization_row.addWidget(self.regularization_spin, 1)
        self.regularization_widget = QWidget()
        self.regularization_widget.setLayout(regularization_row)

        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("Seed of the initial weights and of the minibatch shuffle")
        self.seed_spin.setStatusTip("A different seed gives different initial weights; a change resets the parameters.")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("Model", self.model_combo)
        form.addRow("", self.formula)
        form.addRow("Degree", self.degree_spin)
        form.addRow("Hidden", self.hidden_widget)
        form.addRow("Activation", self.activation_combo)
        form.addRow("", self.bias_check)
        form.addRow("Features", self.features_widget)
        form.addRow("Classes", self.classes_spin)
        form.addRow("Loss", self.loss_combo)
        form.addRow("Penalty", self.regularization_widget)
        form.addRow("Optimizer", self.optimizer_combo)
        form.addRow("Learning rate", self.lr_control)
        form.addRow("Momentum", self.momentum_spin)
        form.addRow("β₁", self.beta1_spin)
        form.addRow("β₂", self.beta2_spin)
        form.addRow("Batch", batch_widget)
        form.addRow("Seed", self.seed_spin)
        self.form = form
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(form)
        layout.addStretch(1)

        self.model_combo.currentIndexChanged.connect(lambda _i: self._model_chosen())
        self.degree_spin.valueChanged.connect(lambda v: self._change("Change polynomial degree", degree=v))
        self.layers_spin.valueChanged.connect(lambda _v: self._hidden_changed())
        for spin in self.units_spins:
            spin.valueChanged.connect(lambda _v: self._hidden_changed())
        self.activation_combo.currentIndexChanged.connect(
            lambda _i: self._change("Change activation", activation=self.activation_combo.currentData())
        )
        self.bias_check.toggled.connect(lambda on: self._change("Toggle bias", bias=on))
        self.loss_combo.currentIndexChanged.connect(
            lambda _i: self._change("Change loss", loss=self.loss_combo.currentData())
        )
        self.optimizer_combo.currentIndexChanged.connect(
            lambda _i: self._change("Change optimizer", optimizer=self.optimizer_combo.currentData())
        )
        self.momentum_spin.valueChanged.connect(lambda v: self._change("Change momentum", "momentum", momentum=v))
        self.beta1_spin.valueChanged.connect(lambda v: self._change("Change β₁", "beta1", beta1=v))
        self.beta2_spin.valueChanged.connect(lambda v: self._change("Change β₂", "beta2", beta2=v))
        self.full_batch_check.toggled.connect(lambda _on: self._batch_changed())
        self.batch_spin.valueChanged.connect(lambda _v: self._batch_changed())
        self.seed_spin.valueChanged.connect(lambda v: self._change("Change seed", seed=v))
        self.classes_spin.valueChanged.connect(self._classes_changed)
        self.regularization_combo.currentIndexChanged.connect(
            lambda _i: self._change("Change regularization", regularization=self.regularization_combo.currentData())
        )
        self.regularization_spin.valueChanged.connect(
            lambda v: self._change("Change regularization rate", "regularization_rate", regularization_rate=v)
        )

        document.configChanged.connect(self.set_config)
        self.set_config(document.config)

    @staticmethod
    def _fraction_spin(tip, status, decimals=3):
        spin = QDoubleSpinBox()
        spin.setRange(0.0, 1.0 - 10.0**-decimals)
        spin.setDecimals(decimals)
        spin.setSingleStep(0.01)
        spin.setKeyboardTracking(False)
        spin.setToolTip(tip)
        spin.setStatusTip(status)
        return spin

    # ----------------------------------------------------------------- config -> widgets
    def set_config(self, config) -> None:
        """Show ``config`` in the widgets (without pushing anything)."""
        widgets = [
            self.model_combo,
            self.degree_spin,
            self.layers_spin,
            *self.units_spins,
            self.activation_combo,
            self.bias_check,
            self.loss_combo,
            self.optimizer_combo,
            self.momentum_spin,
            self.beta1_spin,
            self.beta2_spin,
            self.full_batch_check,
            self.batch_spin,
            self.seed_spin,
            self.classes_spin,
            self.regularization_combo,
            self.regularization_spin,
            *self.feature_checks.values(),
        ]
        blockers = [QSignalBlocker(w) for w in widgets]
        try:
            self.model_combo.setCurrentIndex(self.model_combo.findData(config.model))
            self.formula.setText(describe(config))
            self.degree_spin.setValue(config.degree)
            self.layers_spin.setValue(len(config.hidden))
            for i, spin in enumerate(self.units_spins):
                if i < len(config.hidden):
                    spin.setValue(config.hidden[i])
                spin.setVisible(i < len(config.hidden))
            self.activation_combo.setCurrentIndex(self.activation_combo.findData(config.activation))
            self.bias_check.setChecked(config.bias)
            self.loss_combo.setCurrentIndex(self.loss_combo.findData(config.loss))
            self.optimizer_combo.setCurrentIndex(self.optimizer_combo.findData(config.optimizer))
            self.momentum_spin.setValue(config.momentum)
            self.beta1_spin.setValue(config.beta1)
            self.beta2_spin.setValue(config.beta2)
            self.full_batch_check.setChecked(config.batch_size is None)
            self.batch_spin.setEnabled(config.batch_size is not None)
            if config.batch_size is not None:
                self.batch_spin.setValue(config.batch_size)
            self.seed_spin.setValue(min(config.seed, self.seed_spin.maximum()))
            self.classes_spin.setValue(config.classes)
            self.regularization_combo.setCurrentIndex(self.regularization_combo.findData(config.regularization))
            self.regularization_spin.setValue(config.regularization_rate)
            self.regularization_spin.setEnabled(config.regularization != "none")
            for key, check in self.feature_checks.items():
                check.setChecked(key in config.features)
        finally:
            del blockers
        self.lr_control.set_value(config.lr)
        model = config.model
        form = self.form
        shaping = MODELS[model].fields
        form.setRowVisible(self.degree_spin, "degree" in shaping)
        form.setRowVisible(self.hidden_widget, "hidden" in shaping)
        form.setRowVisible(self.activation_combo, "activation" in shaping)
        form.setRowVisible(self.bias_check, "bias" in shaping)
        fields = OPTIMIZERS[config.optimizer].fields
        form.setRowVisible(self.momentum_spin, "momentum" in fields)
        form.setRowVisible(self.beta1_spin, "beta1" in fields)
        form.setRowVisible(self.beta2_spin, "beta2" in fields)
        form.setRowVisible(self.features_widget, "features" in shaping)
        form.setRowVisible(self.classes_spin, "classes" in shaping)
        probabilities = MODELS[model].probabilities
        for key, loss in LOSSES.items():
            item = self.loss_combo.model().item(self.loss_combo.findData(key))
            if item is not None and loss.needs_probabilities:
                item.setEnabled(probabilities)
                item.setToolTip("" if probabilities else f"{loss.title} needs a model whose outputs are probabilities")
        # Only the models and losses of the task; of those, the losses the model trains with.
        allowed = MODELS[model].losses
        for row in range(self.loss_combo.count()):
            key = self.loss_combo.itemData(row)
            self.loss_combo.view().setRowHidden(row, config.task not in LOSSES[key].tasks)
            item = self.loss_combo.model().item(row)
            if config.task == "classification" and item is not None:
                fits = allowed is None or key in allowed
                item.setEnabled(fits)
                item.setToolTip("" if fits else f"{MODELS[model].name} trains with another loss")
        for row in range(self.model_combo.count()):
            self.model_combo.view().setRowHidden(row, MODELS[self.model_combo.itemData(row)].task != config.task)

    # ----------------------------------------------------------------- widgets -> document
    def _change(self, text, merge_key=None, **changes) -> None:
        current = self._document.config
        if current.init is not None and any(
            key in changes and changes[key] != getattr(current, key) for key in _SHAPE_FIELDS
        ):
            changes["init"] = None  # explicit initial values belong to the old model's parameters
        try:
            config = current.replace(**changes)
        except (ValueError, TypeError) as exc:
            self.message.emit(str(exc))
            self.set_config(self._document.config)
            return
        self._document.change_config(config, text=text, merge_key=merge_key)

    def _model_chosen(self) -> None:
        model = self.model_combo.currentData()
        changes = {"model": model}
        config = self._document.config
        if MODELS[model].task != config.task:
            self.set_config(config)  # a model of the other task needs other data: load a preset
            return
        allowed = MODELS[model].losses
        if allowed is not None and config.loss not in allowed:
            changes["loss"] = allowed[0] if config.classes == 2 else "cross-entropy"
            if allowed == ("bce", "bce-logits") and config.classes > 2:
                changes["classes"] = 2
        elif (
            LOSSES[config.loss].needs_probabilities and not MODELS[model].probabilities and config.task == "regression"
        ):
            changes["loss"] = "mse"
        self._change(f"Change model to {MODELS[model].name}", **changes)

    def _features_changed(self) -> None:
        features = tuple(key for key, check in self.feature_checks.items() if check.isChecked())
        if not features:
            self.message.emit("The model needs at least one input feature.")
            self.set_config(self._document.config)
            return
        self._change("Change features", features=features)

    def _classes_changed(self, classes: int) -> None:
        changes = {"classes": classes}
        if classes > 2 and LOSSES[self._document.config.loss].binary:
            changes["loss"] = "cross-entropy"
            if self._document.config.model == "logistic":
                changes["model"] = "softmax"
        self._change("Change number of classes", **changes)

    def _hidden_changed(self) -> None:
        n = self.layers_spin.value()
        hidden = tuple(spin.value() for spin in self.units_spins[:n])
        for i, spin in enumerate(self.units_spins):
            spin.setVisible(i < n)
        self._change("Change hidden layers", hidden=hidden)

    def _batch_changed(self) -> None:
        full = self.full_batch_check.isChecked()
        self.batch_spin.setEnabled(not full)
        self._change("Change batch size", batch_size=None if full else self.batch_spin.value())

    def _slider_pressed(self) -> None:
        self._slider_drag = f"lr-{next(self._slider_drags)}"

    def _slider_released(self) -> None:
        self._slider_drag = None

    def _lr_edited(self, lr: float, dragging: bool) -> None:
        self._change("Change learning rate", self._slider_drag if dragging else None, lr=lr)

"""Physical bounds accepted for each numeric input field.

The UCI Abalone data give lengths in mm / 200 and weights in grams / 200
(Nash et al., 1994). Observed maxima over all 4,177 rows: length 0.815,
diameter 0.65, height 1.13, whole_weight 2.8255, shucked_weight 1.488,
viscera_weight 0.76, shell_weight 1.005; the minimum of every field is >= 0
(height is 0 in two rows). The limits below keep 0 as the lower bound and allow
a generous margin (>= 2x the observed maximum) above, so that a real but
unusually large abalone is still scored while unit mistakes (millimetres or
grams instead of the scaled units) and absurd values are rejected.

Bounds are part of the service, not of the model artifact: every numeric field
named in transform.json must have an entry here, or the service refuses to start.
"""

from __future__ import annotations

FIELD_BOUNDS: dict[str, tuple[float, float]] = {
    "length": (0.0, 2.0),
    "diameter": (0.0, 2.0),
    "height": (0.0, 2.5),
    "whole_weight": (0.0, 7.0),
    "shucked_weight": (0.0, 4.0),
    "viscera_weight": (0.0, 2.0),
    "shell_weight": (0.0, 3.0),
}

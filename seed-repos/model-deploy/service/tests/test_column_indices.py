"""app/numbers.column_indices: the one-hot output columns as an index array, whatever their size."""

from __future__ import annotations

import numpy as np

from app.numbers import column_indices


def test_columns_below_256_become_the_same_indices():
    columns = [0, 7, 255, 3, 9]

    indices = column_indices(columns)

    assert indices.tolist() == columns


def test_a_column_beyond_255_still_gets_its_exact_index():
    columns = [1, 300, 70000, 2]

    indices = column_indices(columns)

    assert indices.tolist() == columns and indices.dtype == np.intp


def test_byte_indices_set_the_same_one_hot_cells_as_intp_indices(loaded_model):
    transform = loaded_model.transform
    rows = 50
    numeric = np.tile((transform.minimum + transform.maximum) / 2, (rows, 1))
    lookups = [list(transform.category_columns[f].values()) for f in transform.categorical_fields]
    chosen = [[lookup[i % len(lookup)] for i in range(rows)] for lookup in lookups]

    as_bytes = transform.apply(numeric, [column_indices(c) for c in chosen])
    as_intp = transform.apply(numeric, [np.array(c, dtype=np.intp) for c in chosen])

    np.testing.assert_array_equal(as_bytes, as_intp)
    assert all(column_indices(c).dtype == np.uint8 for c in chosen)

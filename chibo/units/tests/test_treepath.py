from chibo.units import treepath


def test_paths_are_fixed_width_digit_runs() -> None:
    path = treepath.child_path(treepath.child_path("", 1), 14)
    assert path == "0000000100000014"
    assert treepath.ids(path) == [1, 14]
    assert treepath.depth(path) == 2


def test_upper_bound_excludes_siblings_and_includes_descendants() -> None:
    parent = "0000000100000014"
    upper = treepath.upper_bound(parent)
    assert parent <= parent + "00000099" < upper
    assert not (upper > "0000000100000015")
    assert treepath.is_within(parent + "00000099", parent)
    assert not treepath.is_within("0000000100000140", parent + "0")

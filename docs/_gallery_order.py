"""The order of the gallery's stories (sphinx-gallery's
``within_subsection_order``): start here, then tune, compare, look inside,
ship; any other example after them, by file name."""

STORIES = [
    "plot_quick_start.py",
    "plot_grid_search.py",
    "plot_accuracy_sparsity.py",
    "plot_dynamics.py",
    "plot_deployment.py",
]


class StoryOrder:
    """Sort key: the position in :data:`STORIES`, then the file name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        position = STORIES.index(filename) if filename in STORIES else len(STORIES)
        return (position, filename)

    def __repr__(self):
        return f"<{self.__class__.__name__}>"

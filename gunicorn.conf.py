"""Read by gunicorn from the directory it starts in: the checkout (docs/deploy.md's unit,
bench/run.py). Only what the workers' speed needs; the command line keeps the rest."""
import gc


def post_worker_init(worker):
    """Once the worker has loaded the app, move what it loaded (SQLAlchemy's mappers, the
    templates, the catalogs: about 130 000 objects) out of the cyclic garbage collector's
    reach. A full collection walked them all every thousand pages or so, about 40 ms each
    (measured on the ticket page, issue 16); frozen, it walks what requests leave."""
    gc.freeze()

"""gunicorn's settings for RT-suivi, read from the directory it starts in (docs/deploy.md:
`gunicorn --workers N 'app:create_app()'` from the application's folder; bench/run.py too)."""


def post_worker_init(worker):
    """Each worker compiles the templates once it has loaded the app, before its first
    request (templating.compile_templates)."""
    from rtsuivi.templating import compile_templates
    compile_templates(worker.wsgi)

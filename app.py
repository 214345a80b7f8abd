"""Entry point for `flask --app app …` and gunicorn (`gunicorn 'app:create_app()'`)."""
from rtsuivi import create_app


def __getattr__(name: str):
    """`app`, made when the flask command asks for it: gunicorn's 'app:create_app()' makes
    its own, and a second application in every worker would only cost memory."""
    if name == "app":
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)

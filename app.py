"""Entry point for `flask --app app …` and gunicorn (`gunicorn 'app:create_app()'`)."""
from rtsuivi import create_app

app = create_app()

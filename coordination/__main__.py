"""`python -m coordination …` is the same as `flask --app wsgi …`."""

from flask.cli import FlaskGroup

from coordination import create_app

cli = FlaskGroup(create_app=lambda: create_app())

if __name__ == "__main__":
    cli()

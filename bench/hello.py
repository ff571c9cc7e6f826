"""The yardstick: a bare Flask "hello", served by gunicorn with the same settings as Serumpun."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!"

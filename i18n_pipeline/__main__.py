from .cli import app

app(prog_name="i18n-pipeline")

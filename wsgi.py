from classroom import create_app

app = create_app()

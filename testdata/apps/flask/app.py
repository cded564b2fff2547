"""A small Flask application for gowsgid's end-to-end tests: a form, a
login with a session cookie, an upload read in chunks, a streamed
response and an error."""

import hashlib

from flask import Flask, Response, redirect, request, session, stream_with_context

app = Flask(__name__)
app.secret_key = 'gowsgid-test-secret'


@app.route('/')
def index():
    return 'Hello from Flask'


@app.route('/form', methods=['GET', 'POST'])
def form():
    if request.method == 'POST':
        return 'Hello, %s!' % request.form['name']
    return '<form method="post"><input name="name"><input type="submit"></form>'


@app.route('/login', methods=['POST'])
def login():
    if request.form.get('user') == 'alice' and request.form.get('password') == 'wonderland':
        session['user'] = 'alice'
        return redirect('/flask/private')
    return 'bad credentials', 403


@app.route('/private')
def private():
    if 'user' not in session:
        return 'login first', 401
    return 'Welcome back, %s' % session['user']


@app.route('/upload', methods=['POST'])
def upload():
    digest = hashlib.sha256()
    size = 0
    stream = request.environ['wsgi.input']
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        size += len(chunk)
        digest.update(chunk)
    return '%d %s' % (size, digest.hexdigest())


@app.route('/stream')
def stream():
    def generate():
        for i in range(3):
            yield 'part %d\n' % i
    return Response(stream_with_context(generate()), mimetype='text/plain')


@app.route('/boom')
def boom():
    raise ValueError('flask view failed')

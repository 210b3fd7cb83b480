FROM msctx-busybox:capture
COPY hello.txt /hello.txt
RUN echo "line one" && printf 'partial-' && sleep 1 && printf 'done\nline three\n' && echo "to stderr" >&2
RUN cat /hello.txt

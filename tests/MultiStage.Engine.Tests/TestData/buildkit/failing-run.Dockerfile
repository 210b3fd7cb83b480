FROM msctx-busybox:capture
COPY hello.txt /hello.txt
RUN echo "before failure" && echo "oops on stderr" >&2 && false

namespace MultiStage.Engine.Tests;

/// <summary>Build message streams recorded from Docker 20.10 (POST /build), replayed by the parser tests.</summary>
internal static class ClientStreamSamples
{
    /// <summary>Classic builder: RUN prints two lines and one on stderr, then exits 3.</summary>
    public const string ClassicFailingRun = """
{"stream":"Step 1/2 : FROM mstest-busybox:1"}
{"stream":"\n"}
{"stream":" ---\u003e 5c05d807edf8\n"}
{"stream":"Step 2/2 : RUN echo line1 \u0026\u0026 echo line2 \u0026\u0026 echo oops \u003e\u00262 \u0026\u0026 exit 3"}
{"stream":"\n"}
{"stream":" ---\u003e Running in f0d4b511f26d\n"}
{"stream":"line1\n"}
{"stream":"line2\n"}
{"stream":"\u001b[91moops\n\u001b[0m"}
{"errorDetail":{"code":3,"message":"The command '/bin/sh -c echo line1 \u0026\u0026 echo line2 \u0026\u0026 echo oops \u003e\u00262 \u0026\u0026 exit 3' returned a non-zero code: 3"},"error":"The command '/bin/sh -c echo line1 \u0026\u0026 echo line2 \u0026\u0026 echo oops \u003e\u00262 \u0026\u0026 exit 3' returned a non-zero code: 3"}
""";

    /// <summary>Classic builder: a three-step build that succeeds and is tagged.</summary>
    public const string ClassicSuccess = """
{"stream":"Step 1/3 : FROM scratch"}
{"stream":"\n"}
{"stream":" ---\u003e \n"}
{"stream":"Step 2/3 : COPY a.txt /a.txt"}
{"stream":"\n"}
{"stream":" ---\u003e Using cache\n"}
{"stream":" ---\u003e 899cb521a84d\n"}
{"stream":"Step 3/3 : LABEL x=y"}
{"stream":"\n"}
{"stream":" ---\u003e Running in 5a221e207faf\n"}
{"stream":"Removing intermediate container 5a221e207faf\n"}
{"stream":" ---\u003e e014ef6b80f0\n"}
{"aux":{"ID":"sha256:e014ef6b80f0a046c6449f76b4ccd51df1be611f82c3a888f0cbf5d3d1b0060f"}}
{"stream":"Successfully built e014ef6b80f0\n"}
{"stream":"Successfully tagged mstest-bk:2\n"}
""";

    /// <summary>Classic builder: the base image's registry cannot be reached.</summary>
    public const string ClassicPullFailure = """
{"stream":"Step 1/2 : FROM example.invalid/nope:1"}
{"stream":"\n"}
{"errorDetail":{"message":"Get \"https://example.invalid/v2/\": dial tcp: lookup example.invalid: no such host"},"error":"Get \"https://example.invalid/v2/\": dial tcp: lookup example.invalid: no such host"}
""";

    /// <summary>BuildKit: RUN prints two lines and one on stderr, then exits 3.</summary>
    public const string BuildKitFailingRun = """
{"id":"moby.buildkit.trace","aux":"Cm8KR3NoYTI1NjpiNmY0ZjQ5YWZkMTZkNWJjZTVlNzM4ZjM3ZTZiMjAxZDMzZjQ2YmI3ZmIxYzkzOTM3Yzg5M2E5M2U1NTM0NmIyGiRbaW50ZXJuYWxdIGxvYWQgcmVtb3RlIGJ1aWxkIGNvbnRleHQ="}
{"id":"moby.buildkit.trace","aux":"Cn0KR3NoYTI1NjpiNmY0ZjQ5YWZkMTZkNWJjZTVlNzM4ZjM3ZTZiMjAxZDMzZjQ2YmI3ZmIxYzkzOTM3Yzg5M2E5M2U1NTM0NmIyGiRbaW50ZXJuYWxdIGxvYWQgcmVtb3RlIGJ1aWxkIGNvbnRleHQqDAjLqqTYBhCCtq2jAQ=="}
{"id":"moby.buildkit.trace","aux":"CosBCkdzaGEyNTY6YjZmNGY0OWFmZDE2ZDViY2U1ZTczOGYzN2U2YjIwMWQzM2Y0NmJiN2ZiMWM5MzkzN2M4OTNhOTNlNTUzNDZiMhokW2ludGVybmFsXSBsb2FkIHJlbW90ZSBidWlsZCBjb250ZXh0KgwIy6qk2AYQgratowEyDAjLqqTYBhDCnO2zAQ=="}
{"id":"moby.buildkit.trace","aux":"CosBCkdzaGEyNTY6YjZmNGY0OWFmZDE2ZDViY2U1ZTczOGYzN2U2YjIwMWQzM2Y0NmJiN2ZiMWM5MzkzN2M4OTNhOTNlNTUzNDZiMhokW2ludGVybmFsXSBsb2FkIHJlbW90ZSBidWlsZCBjb250ZXh0KgwIy6qk2AYQjPyHtAEyDAjLqqTYBhC9pYm0AQ=="}
{"id":"moby.buildkit.trace","aux":"CqMBCkdzaGEyNTY6MTgwZmIwZDljZmZmNTc5NzY1NjZiMTQ2OTIzNmI4MzcyYTA4NmNjMWJiYzlhYjkyM2IyZjkzMzYwYWUxM2IzYhJHc2hhMjU2OmI2ZjRmNDlhZmQxNmQ1YmNlNWU3MzhmMzdlNmIyMDFkMzNmNDZiYjdmYjFjOTM5MzdjODkzYTkzZTU1MzQ2YjIaD2NvcHkgL2NvbnRleHQgLw=="}
{"id":"moby.buildkit.trace","aux":"CrEBCkdzaGEyNTY6MTgwZmIwZDljZmZmNTc5NzY1NjZiMTQ2OTIzNmI4MzcyYTA4NmNjMWJiYzlhYjkyM2IyZjkzMzYwYWUxM2IzYhJHc2hhMjU2OmI2ZjRmNDlhZmQxNmQ1YmNlNWU3MzhmMzdlNmIyMDFkMzNmNDZiYjdmYjFjOTM5MzdjODkzYTkzZTU1MzQ2YjIaD2NvcHkgL2NvbnRleHQgLyoMCMuqpNgGELGjzrsB"}
{"id":"moby.buildkit.trace","aux":"Cr8BCkdzaGEyNTY6MTgwZmIwZDljZmZmNTc5NzY1NjZiMTQ2OTIzNmI4MzcyYTA4NmNjMWJiYzlhYjkyM2IyZjkzMzYwYWUxM2IzYhJHc2hhMjU2OmI2ZjRmNDlhZmQxNmQ1YmNlNWU3MzhmMzdlNmIyMDFkMzNmNDZiYjdmYjFjOTM5MzdjODkzYTkzZTU1MzQ2YjIaD2NvcHkgL2NvbnRleHQgLyoMCMuqpNgGELGjzrsBMgwIy6qk2AYQyt/ZrQI="}
{"id":"moby.buildkit.trace","aux":"CpgBCkdzaGEyNTY6YTE4YzVkZWVjZTBmYzU0NWI3OGIxNGY0MjU5MDc2MTBjZmU5ZmNmODU0OGM1ZDYwYmJlN2FjYzY1MDE3NzQzNRo/W2ludGVybmFsXSBsb2FkIG1ldGFkYXRhIGZvciBkb2NrZXIuaW8vbGlicmFyeS9tc3Rlc3QtYnVzeWJveDoxKgwIy6qk2AYQ66jKxgI="}
{"id":"moby.buildkit.trace","aux":"CqYBCkdzaGEyNTY6YTE4YzVkZWVjZTBmYzU0NWI3OGIxNGY0MjU5MDc2MTBjZmU5ZmNmODU0OGM1ZDYwYmJlN2FjYzY1MDE3NzQzNRo/W2ludGVybmFsXSBsb2FkIG1ldGFkYXRhIGZvciBkb2NrZXIuaW8vbGlicmFyeS9tc3Rlc3QtYnVzeWJveDoxKgwIy6qk2AYQ66jKxgIyDAjLqqTYBhD16MXHAg=="}
{"id":"moby.buildkit.trace","aux":"CngKR3NoYTI1NjpkMTNjOWY1ZmI3MmM4YWI5N2UxMjdmN2ZkNTY2YTQ4OGI0OWMwMWViMTVjMDk5ZmUwOWFmNDdhNDI4YjUzZjIxGi1bMS8yXSBGUk9NIGRvY2tlci5pby9saWJyYXJ5L21zdGVzdC1idXN5Ym94OjEK0QEKR3NoYTI1NjphZjVhMmIxZTg1YjQ5YzljNzAwYzEyZmQyNmRjODljNDlhZTY3OTBiNWEyMzYwOGM4OTkxN2VjMDY0YmNmYTY2EkdzaGEyNTY6ZDEzYzlmNWZiNzJjOGFiOTdlMTI3ZjdmZDU2NmE0ODhiNDljMDFlYjE1YzA5OWZlMDlhZjQ3YTQyOGI1M2YyMRo9WzIvMl0gUlVOIGVjaG8gbGluZTEgJiYgZWNobyBsaW5lMiAmJiBlY2hvIG9vcHMgPiYyICYmIGV4aXQgMw=="}
{"id":"moby.buildkit.trace","aux":"CpYBCkdzaGEyNTY6ZDEzYzlmNWZiNzJjOGFiOTdlMTI3ZjdmZDU2NmE0ODhiNDljMDFlYjE1YzA5OWZlMDlhZjQ3YTQyOGI1M2YyMRotWzEvMl0gRlJPTSBkb2NrZXIuaW8vbGlicmFyeS9tc3Rlc3QtYnVzeWJveDoxIAEqDAjLqqTYBhCCy8LIAjIMCMuqpNgGEOXTxcgC"}
{"id":"moby.buildkit.trace","aux":"Ct8BCkdzaGEyNTY6YWY1YTJiMWU4NWI0OWM5YzcwMGMxMmZkMjZkYzg5YzQ5YWU2NzkwYjVhMjM2MDhjODk5MTdlYzA2NGJjZmE2NhJHc2hhMjU2OmQxM2M5ZjVmYjcyYzhhYjk3ZTEyN2Y3ZmQ1NjZhNDg4YjQ5YzAxZWIxNWMwOTlmZTA5YWY0N2E0MjhiNTNmMjEaPVsyLzJdIFJVTiBlY2hvIGxpbmUxICYmIGVjaG8gbGluZTIgJiYgZWNobyBvb3BzID4mMiAmJiBleGl0IDMqDAjLqqTYBhC7wpDLAg=="}
{"id":"moby.buildkit.trace","aux":"GmEKR3NoYTI1NjphZjVhMmIxZTg1YjQ5YzljNzAwYzEyZmQyNmRjODljNDlhZTY3OTBiNWEyMzYwOGM4OTkxN2VjMDY0YmNmYTY2EgwIy6qk2AYQtu3dqQMYASIGbGluZTEKGmAKR3NoYTI1NjphZjVhMmIxZTg1YjQ5YzljNzAwYzEyZmQyNmRjODljNDlhZTY3OTBiNWEyMzYwOGM4OTkxN2VjMDY0YmNmYTY2EgwIy6qk2AYQj4jrqQMYAiIFb29wcwo="}
{"id":"moby.buildkit.trace","aux":"GmEKR3NoYTI1NjphZjVhMmIxZTg1YjQ5YzljNzAwYzEyZmQyNmRjODljNDlhZTY3OTBiNWEyMzYwOGM4OTkxN2VjMDY0YmNmYTY2EgwIy6qk2AYQjb/9qQMYASIGbGluZTIK"}
{"id":"moby.buildkit.trace","aux":"CtUCCkdzaGEyNTY6YWY1YTJiMWU4NWI0OWM5YzcwMGMxMmZkMjZkYzg5YzQ5YWU2NzkwYjVhMjM2MDhjODk5MTdlYzA2NGJjZmE2NhJHc2hhMjU2OmQxM2M5ZjVmYjcyYzhhYjk3ZTEyN2Y3ZmQ1NjZhNDg4YjQ5YzAxZWIxNWMwOTlmZTA5YWY0N2E0MjhiNTNmMjEaPVsyLzJdIFJVTiBlY2hvIGxpbmUxICYmIGVjaG8gbGluZTIgJiYgZWNobyBvb3BzID4mMiAmJiBleGl0IDMqDAjLqqTYBhC7wpDLAjIMCMuqpNgGEJnfyr8DOmZleGVjdXRvciBmYWlsZWQgcnVubmluZyBbL2Jpbi9zaCAtYyBlY2hvIGxpbmUxICYmIGVjaG8gbGluZTIgJiYgZWNobyBvb3BzID4mMiAmJiBleGl0IDNdOiBleGl0IGNvZGU6IDM="}
{"errorDetail":{"message":"executor failed running [/bin/sh -c echo line1 \u0026\u0026 echo line2 \u0026\u0026 echo oops \u003e\u00262 \u0026\u0026 exit 3]: exit code: 3"},"error":"executor failed running [/bin/sh -c echo line1 \u0026\u0026 echo line2 \u0026\u0026 echo oops \u003e\u00262 \u0026\u0026 exit 3]: exit code: 3"}
""";

    /// <summary>BuildKit: FROM scratch, COPY, LABEL; succeeds and is tagged.</summary>
    public const string BuildKitSuccess = """
{"id":"moby.buildkit.trace","aux":"CnwKR3NoYTI1NjpmODM0ZThmNjZhYjlhZDM4ZGVkZjYwNjFmZTZkNzdkODc2MzNkNmRhZjAyMzhhODg3ZTA3YTA4ZDk4ZjBiZjc2GiRbaW50ZXJuYWxdIGxvYWQgcmVtb3RlIGJ1aWxkIGNvbnRleHQqCwjMqqTYBhDrtPhj"}
{"id":"moby.buildkit.trace","aux":"CokBCkdzaGEyNTY6ZjgzNGU4ZjY2YWI5YWQzOGRlZGY2MDYxZmU2ZDc3ZDg3NjMzZDZkYWYwMjM4YTg4N2UwN2EwOGQ5OGYwYmY3NhokW2ludGVybmFsXSBsb2FkIHJlbW90ZSBidWlsZCBjb250ZXh0KgsIzKqk2AYQ67T4YzILCMyqpNgGEOTV8nY="}
{"id":"moby.buildkit.trace","aux":"CosBCkdzaGEyNTY6ZjgzNGU4ZjY2YWI5YWQzOGRlZGY2MDYxZmU2ZDc3ZDg3NjMzZDZkYWYwMjM4YTg4N2UwN2EwOGQ5OGYwYmY3NhokW2ludGVybmFsXSBsb2FkIHJlbW90ZSBidWlsZCBjb250ZXh0IAEqCwjMqqTYBhC054x3MgsIzKqk2AYQ/PWPdw=="}
{"id":"moby.buildkit.trace","aux":"CqMBCkdzaGEyNTY6OTc0NTAzYmVmMTgxMTk3MGI4OGE5ZjUwYzY1NDY5MjhlYzhhNmRjZmRmMTJkNjU3Mzk2ZDYxMDBhYTk1MTI4ORJHc2hhMjU2OmY4MzRlOGY2NmFiOWFkMzhkZWRmNjA2MWZlNmQ3N2Q4NzYzM2Q2ZGFmMDIzOGE4ODdlMDdhMDhkOThmMGJmNzYaD2NvcHkgL2NvbnRleHQgLw=="}
{"id":"moby.buildkit.trace","aux":"Cr8BCkdzaGEyNTY6OTc0NTAzYmVmMTgxMTk3MGI4OGE5ZjUwYzY1NDY5MjhlYzhhNmRjZmRmMTJkNjU3Mzk2ZDYxMDBhYTk1MTI4ORJHc2hhMjU2OmY4MzRlOGY2NmFiOWFkMzhkZWRmNjA2MWZlNmQ3N2Q4NzYzM2Q2ZGFmMDIzOGE4ODdlMDdhMDhkOThmMGJmNzYaD2NvcHkgL2NvbnRleHQgLyABKgsIzKqk2AYQ/Ma4fTILCMyqpNgGEO7dvX0="}
{"id":"moby.buildkit.trace","aux":"CqsBCkdzaGEyNTY6NzJlOThkODhiNjUzNjliZDU0MWRkNDY1ZWZjZTRiNTNmMTdmOTRlYjZkNTkyNDNmYmI0YTM1NTliNzkzNmJlZhJHc2hhMjU2Ojk3NDUwM2JlZjE4MTE5NzBiODhhOWY1MGM2NTQ2OTI4ZWM4YTZkY2ZkZjEyZDY1NzM5NmQ2MTAwYWE5NTEyODkaF1sxLzFdIENPUFkgYS50eHQgL2EudHh0"}
{"id":"moby.buildkit.trace","aux":"CskBCkdzaGEyNTY6NzJlOThkODhiNjUzNjliZDU0MWRkNDY1ZWZjZTRiNTNmMTdmOTRlYjZkNTkyNDNmYmI0YTM1NTliNzkzNmJlZhJHc2hhMjU2Ojk3NDUwM2JlZjE4MTE5NzBiODhhOWY1MGM2NTQ2OTI4ZWM4YTZkY2ZkZjEyZDY1NzM5NmQ2MTAwYWE5NTEyODkaF1sxLzFdIENPUFkgYS50eHQgL2EudHh0IAEqDAjMqqTYBhCN2bKhATIMCMyqpNgGEPbDtKEBCmsKR3NoYTI1NjplOGM2MTNlMDdiMGI3ZmYzMzg5M2I2OTRmNzc1OWExMGQ0MmUxODBmMmI0ZGMzNDlmYjU3ZGM2YjcxZGNhYjAwGhJleHBvcnRpbmcgdG8gaW1hZ2UqDAjMqqTYBhDE4bahARKFAQoQZXhwb3J0aW5nIGxheWVycxJHc2hhMjU2OmU4YzYxM2UwN2IwYjdmZjMzODkzYjY5NGY3NzU5YTEwZDQyZTE4MGYyYjRkYzM0OWZiNTdkYzZiNzFkY2FiMDAyDAjMqqTYBhDzt7mhAToMCMyqpNgGEJC1t6EBQgwIzKqk2AYQqbW5oQESvAEKVXdyaXRpbmcgaW1hZ2Ugc2hhMjU2OjFhOGE2NmZhOTFjZmQwOGQ0OWQyNWU5MzY2NTQ3YjYyMzMxMTZmM2JmNGQ4MjZlYmJmNTY0MmVkOTM0NmI3NmYSR3NoYTI1NjplOGM2MTNlMDdiMGI3ZmYzMzg5M2I2OTRmNzc1OWExMGQ0MmUxODBmMmI0ZGMzNDlmYjU3ZGM2YjcxZGNhYjAwMgwIzKqk2AYQ+IHBoQE6DAjMqqTYBhClgMGhAQ=="}
{"id":"moby.image.id","aux":{"ID":"sha256:1a8a66fa91cfd08d49d25e9366547b6233116f3bf4d826ebbf5642ed9346b76f"}}
{"id":"moby.buildkit.trace","aux":"CnkKR3NoYTI1NjplOGM2MTNlMDdiMGI3ZmYzMzg5M2I2OTRmNzc1OWExMGQ0MmUxODBmMmI0ZGMzNDlmYjU3ZGM2YjcxZGNhYjAwGhJleHBvcnRpbmcgdG8gaW1hZ2UqDAjMqqTYBhDE4bahATIMCMyqpNgGEMukw6MBEsoBClV3cml0aW5nIGltYWdlIHNoYTI1NjoxYThhNjZmYTkxY2ZkMDhkNDlkMjVlOTM2NjU0N2I2MjMzMTE2ZjNiZjRkODI2ZWJiZjU2NDJlZDkzNDZiNzZmEkdzaGEyNTY6ZThjNjEzZTA3YjBiN2ZmMzM4OTNiNjk0Zjc3NTlhMTBkNDJlMTgwZjJiNGRjMzQ5ZmI1N2RjNmI3MWRjYWIwMDIMCMyqpNgGEIapwKMBOgwIzKqk2AYQpYDBoQFCDAjMqqTYBhCkoMCjARKcAQonbmFtaW5nIHRvIGRvY2tlci5pby9saWJyYXJ5L21zdGVzdC1iazoxEkdzaGEyNTY6ZThjNjEzZTA3YjBiN2ZmMzM4OTNiNjk0Zjc3NTlhMTBkNDJlMTgwZjJiNGRjMzQ5ZmI1N2RjNmI3MWRjYWIwMDIMCMyqpNgGEPGRw6MBOgwIzKqk2AYQ1/LBowFCDAjMqqTYBhDlkMOjAQ=="}
{"stream":"Successfully tagged mstest-bk:1\n"}
""";
}

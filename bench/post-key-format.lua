-- wrk script: the contract-validated POST with a small JSON body
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"key":"ksk_0123456789abcdefghijABCDEFGHIJ0123456789"}'

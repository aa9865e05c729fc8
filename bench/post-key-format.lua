-- wrk script: the contract-validated POST with a small JSON body
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"key":"ksk_example000000000000000000000000000000000"}'

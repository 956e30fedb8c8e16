-- wrk script of the benches: prints one line "WRK_JSON {...}" with the figures and statuses.
--
-- wrk ... -s bench/wrk.lua URL -- BODIES PREFIX [Header: value ...]
--
-- BODIES is "-" (GET the URL) or a file of request templates, one a line: "JSON" or
-- "PATH<tab>JSON", POSTed in turn. "@N@" in a template becomes a number unique in the run
-- (PREFIX-thread-counter), so idempotency keys and authors never repeat.

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  counter = 0
  prefix = args[2] or "x"
  for i = 3, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    if name then wrk.headers[name] = value end
  end
  if args[1] and args[1] ~= "-" then
    templates = {}
    for line in io.lines(args[1]) do
      local path, body = line:match("^([^\t]*)\t(.*)$")
      table.insert(templates, { path = path, body = body or line })
    end
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
  end
end

function request()
  if not templates then
    return wrk.request()
  end
  counter = counter + 1
  local template = templates[(counter - 1) % #templates + 1]
  local n = prefix .. "-" .. index .. "-" .. counter
  local body = template.body:gsub("@N@", n)
  return wrk.format(nil, template.path, nil, body)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  local non2xx = 0
  for status, count in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', status, count))
    if tonumber(status) < 200 or tonumber(status) > 299 then non2xx = non2xx + count end
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "requests_per_s": %.1f, ' ..
    '"latency_ms": {"p50": %.3f, "p90": %.3f, "p99": %.3f, "max": %.3f}, ' ..
    '"statuses": {%s}, "non_2xx": %d, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, table.concat(parts, ", "), non2xx,
    errors.connect, errors.read, errors.write, errors.timeout))
end

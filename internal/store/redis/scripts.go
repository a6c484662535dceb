package redis

import (
	goredis "github.com/redis/go-redis/v9"
)

// The Lua scripts. Rules they all follow, checked by scripts_test.go:
//
//   - every key is passed in KEYS and reached as KEYS[i]; nothing is ever
//     concatenated into a key name, so a script touches exactly the slot
//     its KEYS hash to (Redis Cluster) — helpers take KEYS indices, not
//     names;
//   - instants travel as decimal microsecond strings and are stored as
//     given; Lua only compares them (tonumber is exact below 2^53);
//   - a script checks everything before its first write, so a refusal
//     ("lost", "refresh", "conflict") leaves no trace and the caller may
//     simply call again;
//   - where the caller had to guess a key from data it read earlier (the
//     next member of a group, a job's unique key), the script verifies the
//     guess and answers "refresh" with the truth instead of acting on it.
//
// Wake-ups are PUBLISHed from inside the scripts (the channel name comes
// in ARGV; a channel is not a key), so a job and its announcement are one
// atomic step.

// prelude holds the helpers every queue script shares. MAXERR is
// maxErrors (scripts_test.go keeps them equal).
const prelude = `
local MAXERR = 100

-- member is a job's entry in the ready set: the enqueue sequence number in
-- fixed-width hex, then the id, so equal scores keep enqueue order.
local function member(seq, id)
  return string.format('%016x', tonumber(seq)) .. id
end

-- count moves the pending-job count of rate-limit key rk.
local function count(icnt, rk, delta)
  if rk and rk ~= '' then
    if redis.call('HINCRBY', KEYS[icnt], rk, delta) <= 0 then
      redis.call('HDEL', KEYS[icnt], rk)
    end
  end
end

-- place puts a job whose state field the caller sets where its state
-- says: the scheduled set (announcing a new earliest due time, so idle
-- reapers re-arm) or the ready set (announced to idle workers). It reads
-- nothing: the caller passes the runat and seq it already has.
local function place(id, runat, seq, now, iready, isched, chan, q)
  if tonumber(runat) > now then
    redis.call('ZADD', KEYS[isched], runat, id)
    local first = redis.call('ZRANGE', KEYS[isched], 0, 0)
    if first[1] == id then
      redis.call('PUBLISH', chan, 's1:' .. q)
    end
    return 'scheduled'
  end
  redis.call('ZADD', KEYS[iready], runat, member(seq, id))
  redis.call('PUBLISH', chan, 'r1:' .. q)
  return 'ready'
end

-- activate makes a stored job runnable: ready now, or scheduled for its
-- runat.
local function activate(ijob, id, now, iready, isched, chan, q)
  local f = redis.call('HMGET', KEYS[ijob], 'runat', 'seq')
  local st = 'ready'
  if tonumber(f[1]) > now then
    st = 'scheduled'
  end
  redis.call('HSET', KEYS[ijob], 'state', st)
  return place(id, f[1], f[2], now, iready, isched, chan, q)
end

-- owned reports whether token still holds an unexpired lease on the job.
local function owned(ijob, token, now)
  local f = redis.call('HMGET', KEYS[ijob], 'state', 'lease', 'until')
  return f[1] == 'leased' and f[2] == token and tonumber(f[3]) > now
end

-- front reads a group's head and the member after it ('' when none): the
-- job that becomes runnable when the head finishes. One read serves the
-- caller's check of its guess and release.
local function front(igroup)
  local l = redis.call('LRANGE', KEYS[igroup], 0, 1)
  return l[1] or '', l[2] or ''
end

-- release takes a finished job off its group (head: the group's head as
-- front read it) and, when it was the head, activates the next member,
-- which the caller has checked is KEYS[inext] (id nextid).
local function release(igroup, head, id, inext, nextid, now, iready, isched, imeta, chan, q)
  if head ~= id then
    redis.call('LREM', KEYS[igroup], 1, id)
    return
  end
  redis.call('LPOP', KEYS[igroup])
  if nextid ~= '' then
    redis.call('HINCRBY', KEYS[imeta], 'waiting', -1)
    activate(inext, nextid, now, iready, isched, chan, q)
  end
end

-- adderr appends one attempt error (a JSON object) to the job's list,
-- keeping the newest MAXERR.
local function adderr(ijob, e)
  if e == '' then
    return
  end
  local cur = redis.call('HGET', KEYS[ijob], 'errors')
  if not cur or cur == '' then
    cur = '[' .. e .. ']'
  else
    cur = string.sub(cur, 1, -2) .. ',' .. e .. ']'
  end
  if redis.call('HINCRBY', KEYS[ijob], 'nerr', 1) > MAXERR then
    local t = cjson.decode(cur)
    table.remove(t, 1)
    cur = cjson.encode(t)
    redis.call('HSET', KEYS[ijob], 'nerr', #t)
  end
  redis.call('HSET', KEYS[ijob], 'errors', cur)
end

-- bury makes an in-flight job a dead letter (its group is released by the
-- caller).
local function bury(ijob, id, nowstr, e, dmember, ilease, idead)
  redis.call('ZREM', KEYS[ilease], id)
  adderr(ijob, e)
  redis.call('HSET', KEYS[ijob], 'state', 'dead', 'dead', nowstr, 'dmember', dmember, 'lease', '', 'until', '')
  redis.call('ZADD', KEYS[idead], 0, dmember)
end
`

// scriptEnqueue stores a new job: refuses a known id or a held unique key,
// then parks it behind its group, schedules it or makes it ready. The
// job's fields come ready-made at the end of ARGV, empty ones left out
// (a missing field reads as empty everywhere), so the one HSET is as short
// as the job allows and Lua never looks at the payload. A job scheduled at
// or after quiet (now plus the enqueuing process's ReapInterval, by which
// its own reaper looks again anyway, as do the others by their own) is not
// announced and needs no read of the earliest due time: most such jobs are
// timers days ahead.
//
// The id is checked for a job already stored only when the caller asks
// (checkid "1"): an id the caller generated cannot be anyone else's, and
// when such a job also takes a unique key, that key catches the one way
// the id could already be there, go-redis sending the script again after
// its first reply was lost (the key is then held by this very id, which
// the caller reads as success). One EXISTS fewer for most jobs.
//
// KEYS: job ready sched meta cnt group uniq
// ARGV: id now runat chan queue group rkey ukey px quiet checkid field value...
var scriptEnqueue = queueScript("enqueue", `
if ARGV[11] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then
  return {'dup-id'}
end
-- The unique key is taken with SET NX, its check and write in one
-- command; refused, it has written nothing, so the rule above holds.
if ARGV[8] ~= '' then
  local set
  if tonumber(ARGV[9]) > 0 then
    set = redis.call('SET', KEYS[7], ARGV[1], 'PX', ARGV[9], 'NX')
  else
    set = redis.call('SET', KEYS[7], ARGV[1], 'NX')
  end
  if not set then
    return {'dup-key', redis.call('GET', KEYS[7])}
  end
end
local seq = redis.call('HINCRBY', KEYS[4], 'seq', 1)
local now = tonumber(ARGV[2])
-- The state is decided before the one HSET that stores the job, so the
-- job is written once and never read back.
local st = 'ready'
if ARGV[6] ~= '' and redis.call('RPUSH', KEYS[6], ARGV[1]) > 1 then
  st = 'waiting'
elseif tonumber(ARGV[3]) > now then
  st = 'scheduled'
end
redis.call('HSET', KEYS[1], 'seq', seq, 'state', st, unpack(ARGV, 12))
count(5, ARGV[7], 1)
if st == 'waiting' then
  redis.call('HINCRBY', KEYS[4], 'waiting', 1)
  return {'waiting'}
end
if st == 'scheduled' and tonumber(ARGV[3]) >= tonumber(ARGV[10]) then
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
  return {'scheduled'}
end
return {place(ARGV[1], ARGV[3], seq, now, 2, 3, ARGV[4], ARGV[5])}
`)

// scriptLease leases the first ready job, in ready order, that the caller
// named among its candidates: the head itself when the caller's guess is
// fresh. A concurrent lease of the same process holds the head, so this
// process offers each of its leases a different candidate (headCache.claim)
// and they take successive jobs instead of all fighting for the first; a
// job ahead of the one leased is never held up for longer than the lease
// that holds it. With no candidate among the first peek+1 heads it answers
// "miss" with those heads to try again with.
//
// KEYS: ready lease cnt job...
// ARGV: now until token peek jobprefix (the job keys' common start), then
// the ready-set member of each job key, in KEYS order
var scriptLease = queueScript("lease", `
-- One read gives the heads and the peek candidates after the one leased:
-- they go back to the caller, whose next lease of this queue needs no
-- read of its own.
local peek = tonumber(ARGV[4])
local head = redis.call('ZRANGE', KEYS[1], 0, peek)
if #head == 0 then
  return {'empty'}
end
local cand = {}
for i = 6, #ARGV do
  cand[ARGV[i]] = i - 2
end
local at, ij = 0, 0
for i = 1, #head do
  local k = cand[head[i]]
  if k then
    at, ij = i, k
    break
  end
end
local id = ''
if ij > 0 then
  id = string.sub(head[at], 17)
  -- Compared, never called: the job is reached as the KEYS entry the
  -- caller paired with its member, and that pair must agree.
  if KEYS[ij] ~= ARGV[5] .. id then
    ij = 0
  end
end
if ij == 0 then
  if #head > peek then
    head[#head] = nil
  end
  return {'miss', unpack(head)}
end
redis.call('ZREM', KEYS[1], head[at])
-- One read of the job serves the existence check, the attempt count, its
-- rate-limit key and the reply. The reply is that read as it is, plus the
-- new attempt: the caller knows the lease it asked for, and Lua does not
-- copy the payload into a table of its own.
local h = redis.call('HGETALL', KEYS[ij])
if #h == 0 then
  return {'gone'}
end
local attempt, rk = 0, nil
for i = 1, #h, 2 do
  local k = h[i]
  if k == 'attempt' then
    attempt = tonumber(h[i + 1])
  elseif k == 'key' then
    rk = h[i + 1]
  end
end
attempt = attempt + 1
redis.call('HSET', KEYS[ij], 'attempt', attempt, 'state', 'leased', 'lease', ARGV[3], 'until', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], id)
count(3, rk, -1)
table.remove(head, at)
return {'ok', head, attempt, h}
`)

// scriptExtend renews a lease that still holds.
//
// KEYS: job lease
// ARGV: id token now until
var scriptExtend = queueScript("extend", `
if not owned(1, ARGV[2], tonumber(ARGV[3])) then
  return 0
end
redis.call('HSET', KEYS[1], 'until', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return 1
`)

// scriptAck deletes a finished job, releases its lifetime unique key and
// readies the next job of its group.
//
// KEYS: job lease ready sched meta group next uniq
// ARGV: id token now group nextid ukey chan queue
var scriptAck = queueScript("ack", `
local now = tonumber(ARGV[3])
-- owned() and the fields in one read: an ack is the commonest script.
local f = redis.call('HMGET', KEYS[1], 'state', 'lease', 'until', 'group', 'ukey', 'uttl')
if not (f[1] == 'leased' and f[2] == ARGV[2] and tonumber(f[3]) > now) then
  return {'lost'}
end
local g, uk = f[4] or '', f[5] or ''
if g ~= ARGV[4] or uk ~= ARGV[6] then
  return {'refresh', g, uk, ''}
end
local head = ''
if g ~= '' then
  local n
  head, n = front(6)
  if n ~= ARGV[5] then
    return {'refresh', g, uk, n}
  end
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
if uk ~= '' and (f[6] or '0') == '0' and redis.call('GET', KEYS[8]) == ARGV[1] then
  redis.call('DEL', KEYS[8])
end
if g ~= '' then
  release(6, head, ARGV[1], 7, ARGV[5], now, 3, 4, 5, ARGV[7], ARGV[8])
end
return {'ok'}
`)

// scriptRetry gives a leased job back, to run at runat, recording the
// error; an uncounted retry (throttling) gives the attempt back too. A
// grouped job stays its group's head.
//
// KEYS: job lease ready sched cnt
// ARGV: id token now runat counted err chan queue
var scriptRetry = queueScript("retry", `
local now = tonumber(ARGV[3])
if not owned(1, ARGV[2], now) then
  return {'lost'}
end
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[5] == '0' then
  redis.call('HINCRBY', KEYS[1], 'attempt', -1)
end
adderr(1, ARGV[6])
redis.call('HSET', KEYS[1], 'runat', ARGV[4], 'lease', '', 'until', '')
count(5, redis.call('HGET', KEYS[1], 'key'), 1)
return {activate(1, ARGV[1], now, 3, 4, ARGV[7], ARGV[8])}
`)

// scriptBury makes a leased job a dead letter and releases its group.
//
// KEYS: job lease ready sched dead meta group next
// ARGV: id token now err dmember group nextid chan queue
var scriptBury = queueScript("bury", `
local now = tonumber(ARGV[3])
if not owned(1, ARGV[2], now) then
  return {'lost'}
end
local g = redis.call('HGET', KEYS[1], 'group') or ''
if g ~= ARGV[6] then
  return {'refresh', g, '', ''}
end
local head = ''
if g ~= '' then
  local n
  head, n = front(7)
  if n ~= ARGV[7] then
    return {'refresh', g, '', n}
  end
end
bury(1, ARGV[1], ARGV[3], ARGV[4], ARGV[5], 2, 5)
if g ~= '' then
  release(7, head, ARGV[1], 8, ARGV[7], now, 3, 4, 6, ARGV[8], ARGV[9])
end
return {'ok'}
`)

// scriptExpire handles a lease that ran out: the job is ready again,
// keeping its place in its group, or a dead letter when that was its last
// attempt. Any process may run it; a lease renewed or settled meanwhile
// makes it a no-op.
//
// KEYS: job lease ready sched dead meta group next cnt
// ARGV: id now at dmember group nextid chan queue
var scriptExpire = queueScript("expire", `
local now = tonumber(ARGV[2])
local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not s or tonumber(s) > now then
  return {'skip'}
end
local f = redis.call('HMGET', KEYS[1], 'state', 'attempt', 'max', 'group', 'until', 'key', 'seq')
if f[1] ~= 'leased' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return {'skip'}
end
local g = f[4] or ''
local last = tonumber(f[2]) >= tonumber(f[3])
if g ~= ARGV[5] then
  return {'refresh', g, '', ''}
end
local head = ''
if last and g ~= '' then
  local n
  head, n = front(7)
  if n ~= ARGV[6] then
    return {'refresh', g, '', n}
  end
end
if last then
  local e = '{"attempt":' .. f[2] .. ',"at":"' .. ARGV[3] .. '","error":"attempt ' .. f[2] ..
    ': lease expired: the worker did not finish the attempt"}'
  bury(1, ARGV[1], ARGV[2], e, ARGV[4], 2, 5)
  if g ~= '' then
    release(7, head, ARGV[1], 8, ARGV[6], now, 3, 4, 6, ARGV[7], ARGV[8])
  end
  return {'dead'}
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'state', 'ready', 'runat', f[5], 'lease', '', 'until', '')
redis.call('ZADD', KEYS[3], f[5], member(f[7], ARGV[1]))
count(9, f[6], 1)
redis.call('PUBLISH', ARGV[7], 'r1:' .. ARGV[8])
return {'ready'}
`)

// scriptPromote moves scheduled jobs whose time has come to the ready set.
//
// KEYS: sched ready job...
// ARGV: now chan queue id...
var scriptPromote = queueScript("promote", `
local now = tonumber(ARGV[1])
local n = 0
for i = 3, #KEYS do
  local id = ARGV[i + 1]
  local s = redis.call('ZSCORE', KEYS[1], id)
  if s and tonumber(s) <= now then
    redis.call('ZREM', KEYS[1], id)
    local f = redis.call('HMGET', KEYS[i], 'seq', 'runat', 'state')
    if f[3] == 'scheduled' then
      redis.call('ZADD', KEYS[2], f[2], member(f[1], id))
      redis.call('HSET', KEYS[i], 'state', 'ready')
      n = n + 1
    end
  end
end
if n > 0 then
  redis.call('PUBLISH', ARGV[2], 'r' .. n .. ':' .. ARGV[3])
end
return n
`)

// scriptReplay moves a dead letter back to its queue as a new arrival:
// attempts reset (errors kept as history), at the tail of its group.
//
// KEYS: job dead ready sched meta cnt group
// ARGV: id now group chan queue
var scriptReplay = queueScript("replay", `
local f = redis.call('HMGET', KEYS[1], 'state', 'dmember', 'group', 'key')
if f[1] ~= 'dead' then
  return {'notfound'}
end
local g = f[3] or ''
if g ~= ARGV[3] then
  return {'refresh', g}
end
redis.call('ZREM', KEYS[2], f[2])
local seq = redis.call('HINCRBY', KEYS[5], 'seq', 1)
redis.call('HSET', KEYS[1], 'attempt', '0', 'dead', '', 'dmember', '', 'seq', seq, 'runat', ARGV[2])
count(6, f[4], 1)
if g ~= '' and redis.call('RPUSH', KEYS[7], ARGV[1]) > 1 then
  redis.call('HSET', KEYS[1], 'state', 'waiting')
  redis.call('HINCRBY', KEYS[5], 'waiting', 1)
  return {'waiting'}
end
return {activate(1, ARGV[1], tonumber(ARGV[2]), 3, 4, ARGV[4], ARGV[5])}
`)

// scriptDiscard deletes a dead letter and its lifetime unique key.
//
// KEYS: job dead uniq
// ARGV: id ukey
var scriptDiscard = queueScript("discard", `
local f = redis.call('HMGET', KEYS[1], 'state', 'dmember', 'ukey', 'uttl')
if f[1] ~= 'dead' then
  return {'notfound'}
end
local uk = f[3] or ''
if uk ~= ARGV[2] then
  return {'refresh', uk}
end
redis.call('ZREM', KEYS[2], f[2])
redis.call('DEL', KEYS[1])
if uk ~= '' and (f[4] or '0') == '0' and redis.call('GET', KEYS[3]) == ARGV[1] then
  redis.call('DEL', KEYS[3])
end
return {'ok'}
`)

// script is a Lua script with a name for errors.
type script struct {
	name string
	src  string
	*goredis.Script
}

// queueScript prepends the queue helpers to body. They cost nothing at run
// time: EVALSHA sends only the hash.
func queueScript(name, body string) *script { return newScript(name, prelude+body) }

func newScript(name, src string) *script {
	return &script{name: name, src: src, Script: goredis.NewScript(src)}
}

// allScripts lists every script, for the tests that inspect them.
func allScripts() []*script {
	return []*script{
		scriptEnqueue, scriptLease, scriptExtend, scriptAck, scriptRetry, scriptBury,
		scriptExpire, scriptPromote, scriptReplay, scriptDiscard,
		scriptPutRecord, scriptDeleteRecord, scriptCounter,
		scriptTake, scriptSync, scriptDefer,
	}
}

-- Argo CD health check for ferry.dev/KafkaConnect (Ferry's Kafka Connect clusters).
--
-- Reads the Ready condition the Ferry operator writes, and only when it describes the current spec:
--   being deleted                                   -> Progressing ("Deleting")
--   no status, or status for an older generation    -> Progressing
--   Ready=True                                      -> Healthy
--   Ready=False, reason DeploymentProgressing       -> Progressing (workers rolling out)
--   Ready=False, any other reason                   -> Degraded, with the operator's message
--   Ready missing or Unknown                        -> Progressing
-- Written for Argo CD's Lua 5.1 (gopher-lua) with only the base and string libraries.

local hs = {}

-- Reasons of Ready=False that mean "the operator is still getting there", not "something is wrong".
local still_working = {
  DeploymentProgressing = true,
  Rebalancing = true,
}

local function describe(condition)
  local reason = condition.reason or ""
  local message = condition.message or ""
  if reason ~= "" and message ~= "" then
    return reason .. ": " .. message
  elseif message ~= "" then
    return message
  end
  return reason
end

local metadata = obj.metadata or {}

if metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  hs.message = "Deleting"
  return hs
end

local status = obj.status
if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ferry operator to reconcile the KafkaConnect"
  return hs
end

local generation = metadata.generation
local observed = status.observedGeneration
if observed == nil or (generation ~= nil and observed < generation) then
  hs.status = "Progressing"
  if generation ~= nil then
    hs.message = "Waiting for the Ferry operator to reconcile generation " .. tostring(generation)
  else
    hs.message = "Waiting for the Ferry operator to reconcile the KafkaConnect"
  end
  return hs
end

local ready = nil
if status.conditions ~= nil then
  for _, condition in ipairs(status.conditions) do
    if condition.type == "Ready" then
      ready = condition
    end
  end
end

if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ready condition"
  return hs
end

-- A condition that still describes an older spec is not an answer about the current one.
if ready.observedGeneration ~= nil and generation ~= nil and ready.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ferry operator to reconcile generation " .. tostring(generation)
  return hs
end

if ready.status == "True" then
  hs.status = "Healthy"
  local text = describe(ready)
  if text == "" then
    text = "Ready"
  end
  hs.message = text
  return hs
end

if ready.status == "False" then
  if still_working[ready.reason or ""] then
    hs.status = "Progressing"
  else
    hs.status = "Degraded"
  end
  hs.message = describe(ready)
  return hs
end

hs.status = "Progressing"
hs.message = describe(ready)
return hs

-- What both Neovim drivers share: a result written to $LAYERWISE_OUT as
-- JSON when the steps end or one fails, the buffer's diagnostics, and the
-- hover on the first Dense layer. Loaded with dofile() from the driver's folder.

local M = { result = {} }
local out_path = os.getenv('LAYERWISE_OUT')

function M.finish()
  vim.fn.writefile({ vim.fn.json_encode(M.result) }, out_path)
  vim.cmd('qa!')
end

-- Runs one step; its first error is the result's error, and ends the run.
function M.step(name, fn)
  local ok, err = pcall(fn)
  if not ok then
    M.result.error = name .. ': ' .. tostring(err)
    M.finish()
  end
end

-- Waits for the buffer's diagnostics and keeps each one's place, severity, code and message.
function M.diagnostics()
  local arrived = vim.wait(15000, function() return #vim.diagnostic.get(0) > 0 end, 50)
  assert(arrived, 'no diagnostics arrived')
  M.result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(M.result.diagnostics, { line = d.lnum + 1, col = d.col + 1, severity = d.severity, code = d.code, message = d.message })
  end
end

-- Hover on the first line that holds "Dense(": the markdown the server answered.
function M.hover_first_dense()
  local line, col
  for i, text in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
    local found = text:find('Dense%(')
    if found then line, col = i - 1, found break end
  end
  assert(line, 'no Dense line')
  local params = { textDocument = vim.lsp.util.make_text_document_params(), position = { line = line, character = col } }
  local responses = vim.lsp.buf_request_sync(0, 'textDocument/hover', params, 10000)
  assert(responses, 'no hover response')
  for _, response in pairs(responses) do
    if response.result and response.result.contents then
      local contents = response.result.contents
      M.result.hover = type(contents) == 'table' and (contents.value or vim.fn.json_encode(contents)) or contents
    end
    if response.err then M.result.hover_error = response.err.message end
  end
end

return M

-- Drives Neovim's built-in LSP client against the Layerwise server, as a
-- user's editor would, and writes what it saw to $LAYERWISE_OUT as JSON.
-- Inputs: $LAYERWISE_SERVER (the server script), $LAYERWISE_FILE (a .net file).

local out_path = os.getenv('LAYERWISE_OUT')
local result = { steps = {} }

local function finish()
  vim.fn.writefile({ vim.fn.json_encode(result) }, out_path)
  vim.cmd('qa!')
end

local function step(name, fn)
  local ok, err = pcall(fn)
  if not ok then
    result.error = name .. ': ' .. tostring(err)
    finish()
  end
end

step('start', function()
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('LAYERWISE_FILE')))
  vim.bo.filetype = 'net'
  local client_id = vim.lsp.start_client({
    name = 'layerwise',
    cmd = { 'node', os.getenv('LAYERWISE_SERVER'), '--stdio' },
    root_dir = vim.fn.getcwd(),
  })
  assert(client_id, 'the client did not start')
  vim.lsp.buf_attach_client(0, client_id)
  result.client = client_id
end)

step('diagnostics', function()
  local arrived = vim.wait(15000, function() return #vim.diagnostic.get(0) > 0 end, 50)
  assert(arrived, 'no diagnostics arrived')
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(result.diagnostics, { line = d.lnum + 1, col = d.col + 1, severity = d.severity, code = d.code, message = d.message })
  end
end)

-- Hover on the first Dense layer: the line that holds "Dense(128".
step('hover', function()
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  local line, col
  for i, text in ipairs(lines) do
    local found = text:find('Dense%(')
    if found then line, col = i - 1, found end
    if line then break end
  end
  assert(line, 'no Dense line')
  local params = { textDocument = vim.lsp.util.make_text_document_params(), position = { line = line, character = col } }
  local responses = vim.lsp.buf_request_sync(0, 'textDocument/hover', params, 10000)
  assert(responses, 'no hover response')
  for _, response in pairs(responses) do
    if response.result and response.result.contents then
      local contents = response.result.contents
      result.hover = type(contents) == 'table' and (contents.value or vim.fn.json_encode(contents)) or contents
    end
    if response.err then result.hover_error = response.err.message end
  end
end)

-- Type "-> D" on a new line inside the first model and ask for completions.
step('completion', function()
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  local target
  for i, text in ipairs(lines) do
    if text:find('Dense%(') then target = i break end
  end
  vim.api.nvim_buf_set_lines(0, target, target, false, { '  a -> D' })
  local params = { textDocument = vim.lsp.util.make_text_document_params(), position = { line = target, character = 8 } }
  local responses = vim.lsp.buf_request_sync(0, 'textDocument/completion', params, 10000)
  assert(responses, 'no completion response')
  result.completion = {}
  for _, response in pairs(responses) do
    local items = response.result and (response.result.items or response.result) or {}
    for _, item in ipairs(items) do table.insert(result.completion, item.label) end
  end
end)

finish()

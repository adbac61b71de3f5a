-- Drives Neovim's built-in LSP client against the Layerwise server, as a
-- user's editor would, and writes what it saw to $LAYERWISE_OUT as JSON.
-- Inputs: $LAYERWISE_SERVER (the server script), $LAYERWISE_FILE (a .net file).

local steps = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h') .. '/steps.lua')
local result, step, finish = steps.result, steps.step, steps.finish
steps.result.steps = {}

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

step('diagnostics', steps.diagnostics)

-- Hover on the first Dense layer: the line that holds "Dense(128".
step('hover', steps.hover_first_dense)

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

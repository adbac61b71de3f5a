-- Runs after the README's Neovim snippet was loaded as the user's init.lua:
-- opens .net files as a user would (no filetype or client set here), and
-- writes what the snippet made of them to $LAYERWISE_OUT as JSON.
-- Inputs: $LAYERWISE_FILE and $LAYERWISE_SECOND (two .net files).

local out_path = os.getenv('LAYERWISE_OUT')
local result = {}

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

local function layerwise_clients(bufnr)
  local names = {}
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do table.insert(names, { id = client.id, name = client.name }) end
  return names
end

step('open', function()
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('LAYERWISE_FILE')))
  result.filetype = vim.bo.filetype
  local attached = vim.wait(15000, function() return #layerwise_clients(0) > 0 end, 50)
  assert(attached, 'no client attached to the buffer')
  result.clients = layerwise_clients(0)
end)

step('diagnostics', function()
  local arrived = vim.wait(15000, function() return #vim.diagnostic.get(0) > 0 end, 50)
  assert(arrived, 'no diagnostics arrived')
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(result.diagnostics, { line = d.lnum + 1, severity = d.severity, code = d.code })
  end
end)

step('hover', function()
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
      result.hover = type(contents) == 'table' and (contents.value or vim.fn.json_encode(contents)) or contents
    end
  end
end)

-- A second .net file: the same server attaches to it.
step('second', function()
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('LAYERWISE_SECOND')))
  result.second_filetype = vim.bo.filetype
  vim.wait(15000, function() return #layerwise_clients(0) > 0 end, 50)
  result.second_clients = layerwise_clients(0)
end)

finish()
